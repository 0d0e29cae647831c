from google.protobuf.internal import containers as _containers
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class StateRecord(_message.Message):
    __slots__ = ("version", "request_id", "change", "stage", "failure", "machine_version", "plan_id", "tasks", "head_commit", "build", "spec_id", "tests_commit", "history", "gates", "awaiting", "attempt", "budget", "decisions", "traceparent", "nonce", "created_at", "updated_at")
    class Change(_message.Message):
        __slots__ = ("requester", "repo", "branch", "description")
        REQUESTER_FIELD_NUMBER: _ClassVar[int]
        REPO_FIELD_NUMBER: _ClassVar[int]
        BRANCH_FIELD_NUMBER: _ClassVar[int]
        DESCRIPTION_FIELD_NUMBER: _ClassVar[int]
        requester: str
        repo: str
        branch: str
        description: str
        def __init__(self, requester: _Optional[str] = ..., repo: _Optional[str] = ..., branch: _Optional[str] = ..., description: _Optional[str] = ...) -> None: ...
    class Failure(_message.Message):
        __slots__ = ("stage", "event", "reason", "detail")
        STAGE_FIELD_NUMBER: _ClassVar[int]
        EVENT_FIELD_NUMBER: _ClassVar[int]
        REASON_FIELD_NUMBER: _ClassVar[int]
        DETAIL_FIELD_NUMBER: _ClassVar[int]
        stage: str
        event: str
        reason: str
        detail: str
        def __init__(self, stage: _Optional[str] = ..., event: _Optional[str] = ..., reason: _Optional[str] = ..., detail: _Optional[str] = ...) -> None: ...
    class Task(_message.Message):
        __slots__ = ("id", "status", "commit_sha")
        ID_FIELD_NUMBER: _ClassVar[int]
        STATUS_FIELD_NUMBER: _ClassVar[int]
        COMMIT_SHA_FIELD_NUMBER: _ClassVar[int]
        id: str
        status: str
        commit_sha: str
        def __init__(self, id: _Optional[str] = ..., status: _Optional[str] = ..., commit_sha: _Optional[str] = ...) -> None: ...
    class Build(_message.Message):
        __slots__ = ("id", "round", "commit_sha")
        ID_FIELD_NUMBER: _ClassVar[int]
        ROUND_FIELD_NUMBER: _ClassVar[int]
        COMMIT_SHA_FIELD_NUMBER: _ClassVar[int]
        id: str
        round: int
        commit_sha: str
        def __init__(self, id: _Optional[str] = ..., round: _Optional[int] = ..., commit_sha: _Optional[str] = ...) -> None: ...
    class Progress(_message.Message):
        __slots__ = ("at", "count", "note", "percent")
        AT_FIELD_NUMBER: _ClassVar[int]
        COUNT_FIELD_NUMBER: _ClassVar[int]
        NOTE_FIELD_NUMBER: _ClassVar[int]
        PERCENT_FIELD_NUMBER: _ClassVar[int]
        at: int
        count: int
        note: str
        percent: float
        def __init__(self, at: _Optional[int] = ..., count: _Optional[int] = ..., note: _Optional[str] = ..., percent: _Optional[float] = ...) -> None: ...
    class Usage(_message.Message):
        __slots__ = ("input_tokens", "output_tokens", "cost_usd")
        INPUT_TOKENS_FIELD_NUMBER: _ClassVar[int]
        OUTPUT_TOKENS_FIELD_NUMBER: _ClassVar[int]
        COST_USD_FIELD_NUMBER: _ClassVar[int]
        input_tokens: int
        output_tokens: int
        cost_usd: float
        def __init__(self, input_tokens: _Optional[int] = ..., output_tokens: _Optional[int] = ..., cost_usd: _Optional[float] = ...) -> None: ...
    class StageEntry(_message.Message):
        __slots__ = ("stage", "at", "attempt", "approved_at", "progress", "usage")
        STAGE_FIELD_NUMBER: _ClassVar[int]
        AT_FIELD_NUMBER: _ClassVar[int]
        ATTEMPT_FIELD_NUMBER: _ClassVar[int]
        APPROVED_AT_FIELD_NUMBER: _ClassVar[int]
        PROGRESS_FIELD_NUMBER: _ClassVar[int]
        USAGE_FIELD_NUMBER: _ClassVar[int]
        stage: str
        at: int
        attempt: int
        approved_at: int
        progress: StateRecord.Progress
        usage: StateRecord.Usage
        def __init__(self, stage: _Optional[str] = ..., at: _Optional[int] = ..., attempt: _Optional[int] = ..., approved_at: _Optional[int] = ..., progress: _Optional[_Union[StateRecord.Progress, _Mapping]] = ..., usage: _Optional[_Union[StateRecord.Usage, _Mapping]] = ...) -> None: ...
    class Action(_message.Message):
        __slots__ = ("type", "round", "failed_stage", "event", "reason")
        TYPE_FIELD_NUMBER: _ClassVar[int]
        ROUND_FIELD_NUMBER: _ClassVar[int]
        FAILED_STAGE_FIELD_NUMBER: _ClassVar[int]
        EVENT_FIELD_NUMBER: _ClassVar[int]
        REASON_FIELD_NUMBER: _ClassVar[int]
        type: str
        round: int
        failed_stage: str
        event: str
        reason: str
        def __init__(self, type: _Optional[str] = ..., round: _Optional[int] = ..., failed_stage: _Optional[str] = ..., event: _Optional[str] = ..., reason: _Optional[str] = ...) -> None: ...
    class Awaiting(_message.Message):
        __slots__ = ("stage", "since", "actions")
        STAGE_FIELD_NUMBER: _ClassVar[int]
        SINCE_FIELD_NUMBER: _ClassVar[int]
        ACTIONS_FIELD_NUMBER: _ClassVar[int]
        stage: str
        since: int
        actions: _containers.RepeatedCompositeFieldContainer[StateRecord.Action]
        def __init__(self, stage: _Optional[str] = ..., since: _Optional[int] = ..., actions: _Optional[_Iterable[_Union[StateRecord.Action, _Mapping]]] = ...) -> None: ...
    class Budget(_message.Message):
        __slots__ = ("max_tokens", "max_cost_usd")
        MAX_TOKENS_FIELD_NUMBER: _ClassVar[int]
        MAX_COST_USD_FIELD_NUMBER: _ClassVar[int]
        max_tokens: int
        max_cost_usd: float
        def __init__(self, max_tokens: _Optional[int] = ..., max_cost_usd: _Optional[float] = ...) -> None: ...
    class Decision(_message.Message):
        __slots__ = ("action", "by", "reason", "at", "stage")
        ACTION_FIELD_NUMBER: _ClassVar[int]
        BY_FIELD_NUMBER: _ClassVar[int]
        REASON_FIELD_NUMBER: _ClassVar[int]
        AT_FIELD_NUMBER: _ClassVar[int]
        STAGE_FIELD_NUMBER: _ClassVar[int]
        FROM_FIELD_NUMBER: _ClassVar[int]
        action: str
        by: str
        reason: str
        at: int
        stage: str
        def __init__(self, action: _Optional[str] = ..., by: _Optional[str] = ..., reason: _Optional[str] = ..., at: _Optional[int] = ..., stage: _Optional[str] = ..., **kwargs) -> None: ...
    VERSION_FIELD_NUMBER: _ClassVar[int]
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    CHANGE_FIELD_NUMBER: _ClassVar[int]
    STAGE_FIELD_NUMBER: _ClassVar[int]
    FAILURE_FIELD_NUMBER: _ClassVar[int]
    MACHINE_VERSION_FIELD_NUMBER: _ClassVar[int]
    PLAN_ID_FIELD_NUMBER: _ClassVar[int]
    TASKS_FIELD_NUMBER: _ClassVar[int]
    HEAD_COMMIT_FIELD_NUMBER: _ClassVar[int]
    BUILD_FIELD_NUMBER: _ClassVar[int]
    SPEC_ID_FIELD_NUMBER: _ClassVar[int]
    TESTS_COMMIT_FIELD_NUMBER: _ClassVar[int]
    HISTORY_FIELD_NUMBER: _ClassVar[int]
    GATES_FIELD_NUMBER: _ClassVar[int]
    AWAITING_FIELD_NUMBER: _ClassVar[int]
    ATTEMPT_FIELD_NUMBER: _ClassVar[int]
    BUDGET_FIELD_NUMBER: _ClassVar[int]
    DECISIONS_FIELD_NUMBER: _ClassVar[int]
    TRACEPARENT_FIELD_NUMBER: _ClassVar[int]
    NONCE_FIELD_NUMBER: _ClassVar[int]
    CREATED_AT_FIELD_NUMBER: _ClassVar[int]
    UPDATED_AT_FIELD_NUMBER: _ClassVar[int]
    version: int
    request_id: str
    change: StateRecord.Change
    stage: str
    failure: StateRecord.Failure
    machine_version: str
    plan_id: str
    tasks: _containers.RepeatedCompositeFieldContainer[StateRecord.Task]
    head_commit: str
    build: StateRecord.Build
    spec_id: str
    tests_commit: str
    history: _containers.RepeatedCompositeFieldContainer[StateRecord.StageEntry]
    gates: _containers.RepeatedScalarFieldContainer[str]
    awaiting: StateRecord.Awaiting
    attempt: int
    budget: StateRecord.Budget
    decisions: _containers.RepeatedCompositeFieldContainer[StateRecord.Decision]
    traceparent: str
    nonce: str
    created_at: int
    updated_at: int
    def __init__(self, version: _Optional[int] = ..., request_id: _Optional[str] = ..., change: _Optional[_Union[StateRecord.Change, _Mapping]] = ..., stage: _Optional[str] = ..., failure: _Optional[_Union[StateRecord.Failure, _Mapping]] = ..., machine_version: _Optional[str] = ..., plan_id: _Optional[str] = ..., tasks: _Optional[_Iterable[_Union[StateRecord.Task, _Mapping]]] = ..., head_commit: _Optional[str] = ..., build: _Optional[_Union[StateRecord.Build, _Mapping]] = ..., spec_id: _Optional[str] = ..., tests_commit: _Optional[str] = ..., history: _Optional[_Iterable[_Union[StateRecord.StageEntry, _Mapping]]] = ..., gates: _Optional[_Iterable[str]] = ..., awaiting: _Optional[_Union[StateRecord.Awaiting, _Mapping]] = ..., attempt: _Optional[int] = ..., budget: _Optional[_Union[StateRecord.Budget, _Mapping]] = ..., decisions: _Optional[_Iterable[_Union[StateRecord.Decision, _Mapping]]] = ..., traceparent: _Optional[str] = ..., nonce: _Optional[str] = ..., created_at: _Optional[int] = ..., updated_at: _Optional[int] = ...) -> None: ...
