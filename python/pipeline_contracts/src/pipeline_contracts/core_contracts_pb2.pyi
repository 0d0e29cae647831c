from google.protobuf.internal import containers as _containers
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class ChangeRequest(_message.Message):
    __slots__ = ("id", "requester", "repo", "branch", "description", "budget", "attempt", "approval_stages")
    ID_FIELD_NUMBER: _ClassVar[int]
    REQUESTER_FIELD_NUMBER: _ClassVar[int]
    REPO_FIELD_NUMBER: _ClassVar[int]
    BRANCH_FIELD_NUMBER: _ClassVar[int]
    DESCRIPTION_FIELD_NUMBER: _ClassVar[int]
    BUDGET_FIELD_NUMBER: _ClassVar[int]
    ATTEMPT_FIELD_NUMBER: _ClassVar[int]
    APPROVAL_STAGES_FIELD_NUMBER: _ClassVar[int]
    id: str
    requester: str
    repo: str
    branch: str
    description: str
    budget: Budget
    attempt: int
    approval_stages: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, id: _Optional[str] = ..., requester: _Optional[str] = ..., repo: _Optional[str] = ..., branch: _Optional[str] = ..., description: _Optional[str] = ..., budget: _Optional[_Union[Budget, _Mapping]] = ..., attempt: _Optional[int] = ..., approval_stages: _Optional[_Iterable[str]] = ...) -> None: ...

class Plan(_message.Message):
    __slots__ = ("id", "parent_request_id", "task_ids", "usage", "attempt")
    ID_FIELD_NUMBER: _ClassVar[int]
    PARENT_REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    TASK_IDS_FIELD_NUMBER: _ClassVar[int]
    USAGE_FIELD_NUMBER: _ClassVar[int]
    ATTEMPT_FIELD_NUMBER: _ClassVar[int]
    id: str
    parent_request_id: str
    task_ids: _containers.RepeatedScalarFieldContainer[str]
    usage: Usage
    attempt: int
    def __init__(self, id: _Optional[str] = ..., parent_request_id: _Optional[str] = ..., task_ids: _Optional[_Iterable[str]] = ..., usage: _Optional[_Union[Usage, _Mapping]] = ..., attempt: _Optional[int] = ...) -> None: ...

class TaskBundle(_message.Message):
    __slots__ = ("plan_id", "task_ids", "attempt")
    PLAN_ID_FIELD_NUMBER: _ClassVar[int]
    TASK_IDS_FIELD_NUMBER: _ClassVar[int]
    ATTEMPT_FIELD_NUMBER: _ClassVar[int]
    plan_id: str
    task_ids: _containers.RepeatedScalarFieldContainer[str]
    attempt: int
    def __init__(self, plan_id: _Optional[str] = ..., task_ids: _Optional[_Iterable[str]] = ..., attempt: _Optional[int] = ...) -> None: ...

class CommitResult(_message.Message):
    __slots__ = ("task_id", "commit_sha", "status", "usage", "attempt")
    TASK_ID_FIELD_NUMBER: _ClassVar[int]
    COMMIT_SHA_FIELD_NUMBER: _ClassVar[int]
    STATUS_FIELD_NUMBER: _ClassVar[int]
    USAGE_FIELD_NUMBER: _ClassVar[int]
    ATTEMPT_FIELD_NUMBER: _ClassVar[int]
    task_id: str
    commit_sha: str
    status: str
    usage: Usage
    attempt: int
    def __init__(self, task_id: _Optional[str] = ..., commit_sha: _Optional[str] = ..., status: _Optional[str] = ..., usage: _Optional[_Union[Usage, _Mapping]] = ..., attempt: _Optional[int] = ...) -> None: ...

class BuildReport(_message.Message):
    __slots__ = ("commit_sha", "status", "build_id", "usage", "attempt")
    COMMIT_SHA_FIELD_NUMBER: _ClassVar[int]
    STATUS_FIELD_NUMBER: _ClassVar[int]
    BUILD_ID_FIELD_NUMBER: _ClassVar[int]
    USAGE_FIELD_NUMBER: _ClassVar[int]
    ATTEMPT_FIELD_NUMBER: _ClassVar[int]
    commit_sha: str
    status: str
    build_id: str
    usage: Usage
    attempt: int
    def __init__(self, commit_sha: _Optional[str] = ..., status: _Optional[str] = ..., build_id: _Optional[str] = ..., usage: _Optional[_Union[Usage, _Mapping]] = ..., attempt: _Optional[int] = ...) -> None: ...

class TestSpec(_message.Message):
    __slots__ = ("id", "parent_commit_sha", "usage", "attempt")
    ID_FIELD_NUMBER: _ClassVar[int]
    PARENT_COMMIT_SHA_FIELD_NUMBER: _ClassVar[int]
    USAGE_FIELD_NUMBER: _ClassVar[int]
    ATTEMPT_FIELD_NUMBER: _ClassVar[int]
    id: str
    parent_commit_sha: str
    usage: Usage
    attempt: int
    def __init__(self, id: _Optional[str] = ..., parent_commit_sha: _Optional[str] = ..., usage: _Optional[_Union[Usage, _Mapping]] = ..., attempt: _Optional[int] = ...) -> None: ...

class GeneratedTests(_message.Message):
    __slots__ = ("spec_id", "commit_sha", "precheck", "usage", "attempt")
    SPEC_ID_FIELD_NUMBER: _ClassVar[int]
    COMMIT_SHA_FIELD_NUMBER: _ClassVar[int]
    PRECHECK_FIELD_NUMBER: _ClassVar[int]
    USAGE_FIELD_NUMBER: _ClassVar[int]
    ATTEMPT_FIELD_NUMBER: _ClassVar[int]
    spec_id: str
    commit_sha: str
    precheck: str
    usage: Usage
    attempt: int
    def __init__(self, spec_id: _Optional[str] = ..., commit_sha: _Optional[str] = ..., precheck: _Optional[str] = ..., usage: _Optional[_Union[Usage, _Mapping]] = ..., attempt: _Optional[int] = ...) -> None: ...

class RegressionTicket(_message.Message):
    __slots__ = ("id", "summary", "request_id", "failed_stage", "reason")
    ID_FIELD_NUMBER: _ClassVar[int]
    SUMMARY_FIELD_NUMBER: _ClassVar[int]
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    FAILED_STAGE_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    id: str
    summary: str
    request_id: str
    failed_stage: str
    reason: str
    def __init__(self, id: _Optional[str] = ..., summary: _Optional[str] = ..., request_id: _Optional[str] = ..., failed_stage: _Optional[str] = ..., reason: _Optional[str] = ...) -> None: ...

class DeepPlan(_message.Message):
    __slots__ = ("id", "phases")
    ID_FIELD_NUMBER: _ClassVar[int]
    PHASES_FIELD_NUMBER: _ClassVar[int]
    id: str
    phases: _containers.RepeatedCompositeFieldContainer[Phase]
    def __init__(self, id: _Optional[str] = ..., phases: _Optional[_Iterable[_Union[Phase, _Mapping]]] = ...) -> None: ...

class Phase(_message.Message):
    __slots__ = ("id", "goal")
    ID_FIELD_NUMBER: _ClassVar[int]
    GOAL_FIELD_NUMBER: _ClassVar[int]
    id: str
    goal: str
    def __init__(self, id: _Optional[str] = ..., goal: _Optional[str] = ...) -> None: ...

class BuildRequest(_message.Message):
    __slots__ = ("request_id", "build_id", "commit_sha", "repo", "branch", "round", "attempt")
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    BUILD_ID_FIELD_NUMBER: _ClassVar[int]
    COMMIT_SHA_FIELD_NUMBER: _ClassVar[int]
    REPO_FIELD_NUMBER: _ClassVar[int]
    BRANCH_FIELD_NUMBER: _ClassVar[int]
    ROUND_FIELD_NUMBER: _ClassVar[int]
    ATTEMPT_FIELD_NUMBER: _ClassVar[int]
    request_id: str
    build_id: str
    commit_sha: str
    repo: str
    branch: str
    round: int
    attempt: int
    def __init__(self, request_id: _Optional[str] = ..., build_id: _Optional[str] = ..., commit_sha: _Optional[str] = ..., repo: _Optional[str] = ..., branch: _Optional[str] = ..., round: _Optional[int] = ..., attempt: _Optional[int] = ...) -> None: ...

class TestPlanRequest(_message.Message):
    __slots__ = ("request_id", "commit_sha", "repo", "branch", "description", "attempt")
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    COMMIT_SHA_FIELD_NUMBER: _ClassVar[int]
    REPO_FIELD_NUMBER: _ClassVar[int]
    BRANCH_FIELD_NUMBER: _ClassVar[int]
    DESCRIPTION_FIELD_NUMBER: _ClassVar[int]
    ATTEMPT_FIELD_NUMBER: _ClassVar[int]
    request_id: str
    commit_sha: str
    repo: str
    branch: str
    description: str
    attempt: int
    def __init__(self, request_id: _Optional[str] = ..., commit_sha: _Optional[str] = ..., repo: _Optional[str] = ..., branch: _Optional[str] = ..., description: _Optional[str] = ..., attempt: _Optional[int] = ...) -> None: ...

class TestGenRequest(_message.Message):
    __slots__ = ("request_id", "spec_id", "commit_sha", "repo", "branch", "attempt")
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    SPEC_ID_FIELD_NUMBER: _ClassVar[int]
    COMMIT_SHA_FIELD_NUMBER: _ClassVar[int]
    REPO_FIELD_NUMBER: _ClassVar[int]
    BRANCH_FIELD_NUMBER: _ClassVar[int]
    ATTEMPT_FIELD_NUMBER: _ClassVar[int]
    request_id: str
    spec_id: str
    commit_sha: str
    repo: str
    branch: str
    attempt: int
    def __init__(self, request_id: _Optional[str] = ..., spec_id: _Optional[str] = ..., commit_sha: _Optional[str] = ..., repo: _Optional[str] = ..., branch: _Optional[str] = ..., attempt: _Optional[int] = ...) -> None: ...

class Usage(_message.Message):
    __slots__ = ("input_tokens", "output_tokens", "cost_usd")
    INPUT_TOKENS_FIELD_NUMBER: _ClassVar[int]
    OUTPUT_TOKENS_FIELD_NUMBER: _ClassVar[int]
    COST_USD_FIELD_NUMBER: _ClassVar[int]
    input_tokens: int
    output_tokens: int
    cost_usd: float
    def __init__(self, input_tokens: _Optional[int] = ..., output_tokens: _Optional[int] = ..., cost_usd: _Optional[float] = ...) -> None: ...

class AgentProgress(_message.Message):
    __slots__ = ("request_id", "stage", "note", "percent", "usage")
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    STAGE_FIELD_NUMBER: _ClassVar[int]
    NOTE_FIELD_NUMBER: _ClassVar[int]
    PERCENT_FIELD_NUMBER: _ClassVar[int]
    USAGE_FIELD_NUMBER: _ClassVar[int]
    request_id: str
    stage: str
    note: str
    percent: int
    usage: Usage
    def __init__(self, request_id: _Optional[str] = ..., stage: _Optional[str] = ..., note: _Optional[str] = ..., percent: _Optional[int] = ..., usage: _Optional[_Union[Usage, _Mapping]] = ...) -> None: ...

class AgentCancel(_message.Message):
    __slots__ = ("request_id", "stage", "reason", "requested_by")
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    STAGE_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    REQUESTED_BY_FIELD_NUMBER: _ClassVar[int]
    request_id: str
    stage: str
    reason: str
    requested_by: str
    def __init__(self, request_id: _Optional[str] = ..., stage: _Optional[str] = ..., reason: _Optional[str] = ..., requested_by: _Optional[str] = ...) -> None: ...

class Budget(_message.Message):
    __slots__ = ("max_tokens", "max_cost_usd")
    MAX_TOKENS_FIELD_NUMBER: _ClassVar[int]
    MAX_COST_USD_FIELD_NUMBER: _ClassVar[int]
    max_tokens: int
    max_cost_usd: float
    def __init__(self, max_tokens: _Optional[int] = ..., max_cost_usd: _Optional[float] = ...) -> None: ...

class ControlCommand(_message.Message):
    __slots__ = ("request_id", "requested_by", "reason", "cancel", "retry", "approve", "reject")
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    REQUESTED_BY_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    CANCEL_FIELD_NUMBER: _ClassVar[int]
    RETRY_FIELD_NUMBER: _ClassVar[int]
    APPROVE_FIELD_NUMBER: _ClassVar[int]
    REJECT_FIELD_NUMBER: _ClassVar[int]
    request_id: str
    requested_by: str
    reason: str
    cancel: CancelAction
    retry: RetryAction
    approve: ApproveAction
    reject: RejectAction
    def __init__(self, request_id: _Optional[str] = ..., requested_by: _Optional[str] = ..., reason: _Optional[str] = ..., cancel: _Optional[_Union[CancelAction, _Mapping]] = ..., retry: _Optional[_Union[RetryAction, _Mapping]] = ..., approve: _Optional[_Union[ApproveAction, _Mapping]] = ..., reject: _Optional[_Union[RejectAction, _Mapping]] = ...) -> None: ...

class CancelAction(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class RetryAction(_message.Message):
    __slots__ = ("from_stage",)
    FROM_STAGE_FIELD_NUMBER: _ClassVar[int]
    from_stage: str
    def __init__(self, from_stage: _Optional[str] = ...) -> None: ...

class ApproveAction(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class RejectAction(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...
