/**
 * Deals partition numbers to members, sticky: a member keeps what it owned as far as the balance
 * allows (every member gets ⌊N/M⌋ or ⌈N/M⌉ numbers), and only the rest moves. A join therefore moves
 * about N/(M+1) numbers, all towards the newcomer, and a leave moves only the leaver's; every moved
 * number costs a restore (fence, barrier, read state) and a pause of that partition, which is why a
 * round-robin by member id (any join or leave moves most numbers) is not good enough.
 *
 * Pure and deterministic: every member computing it from the same input gets the same answer.
 * `previous`: what each member says it owned (its subscription's user data); numbers claimed twice
 * (a member that missed a generation) go to the claimant with the smallest member id, numbers no
 * longer present or claimed by non-members are ignored.
 *
 * `warm`: numbers each member has a copy of the state of (owned before, kept on disk), so that taking
 * them costs it a read of what was written since rather than of everything. A member over its quota
 * gives up first the numbers another member has warm, and a member under its quota takes its warm
 * numbers first: a restarted instance gets back what it had, not a cold share.
 */
export function stickyNumbers(
  numbers: readonly number[],
  members: readonly string[],
  previous: ReadonlyMap<string, readonly number[]>,
  warm: ReadonlyMap<string, readonly number[]> = new Map(),
): Map<string, number[]> {
  const sortedMembers = [...new Set(members)].sort();
  const result = new Map<string, number[]>(sortedMembers.map((m) => [m, []]));
  if (sortedMembers.length === 0) return result;
  const present = new Set(numbers);
  const claimed = new Map<string, number[]>();
  const taken = new Set<number>();
  for (const member of sortedMembers) {
    const mine = [...new Set(previous.get(member) ?? [])]
      .filter((n) => present.has(n) && !taken.has(n))
      .sort((a, b) => a - b);
    for (const n of mine) taken.add(n);
    claimed.set(member, mine);
  }
  // The larger quotas go to the members that held the most, so that the fewest numbers move.
  const base = Math.floor(present.size / sortedMembers.length);
  let extra = present.size % sortedMembers.length;
  const byHeld = [...sortedMembers].sort(
    (a, b) => (claimed.get(b)?.length ?? 0) - (claimed.get(a)?.length ?? 0) || (a < b ? -1 : 1),
  );
  const quota = new Map<string, number>();
  for (const member of byHeld) {
    quota.set(member, base + (extra > 0 ? 1 : 0));
    if (extra > 0) extra -= 1;
  }
  // Numbers some member under its quota has warm: given up first by a member over its quota.
  const wantedWarm = new Set<number>();
  for (const member of sortedMembers)
    if ((claimed.get(member)?.length ?? 0) < (quota.get(member) ?? 0))
      for (const n of warm.get(member) ?? []) wantedWarm.add(n);
  const free: number[] = [];
  for (const member of sortedMembers) {
    const mine = claimed.get(member) ?? [];
    const keep = quota.get(member) ?? 0;
    const ordered = [...mine.filter((n) => !wantedWarm.has(n)), ...mine.filter((n) => wantedWarm.has(n))];
    result.set(member, ordered.slice(0, keep));
    free.push(...ordered.slice(keep));
  }
  for (const n of [...present].sort((a, b) => a - b)) if (!taken.has(n)) free.push(n);
  free.sort((a, b) => a - b);
  // First every member takes the free numbers it has warm, then the rest is dealt in order.
  for (const member of sortedMembers) {
    const own = result.get(member) as number[];
    const want = quota.get(member) ?? 0;
    const hot = new Set(warm.get(member) ?? []);
    for (const n of free.filter((x) => hot.has(x))) {
      if (own.length >= want) break;
      own.push(n);
      free.splice(free.indexOf(n), 1);
    }
  }
  for (const member of sortedMembers) {
    const own = result.get(member) as number[];
    const want = quota.get(member) ?? 0;
    while (own.length < want && free.length > 0) own.push(free.shift() as number);
    own.sort((a, b) => a - b);
  }
  return result;
}
