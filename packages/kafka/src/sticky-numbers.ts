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
 */
export function stickyNumbers(
  numbers: readonly number[],
  members: readonly string[],
  previous: ReadonlyMap<string, readonly number[]>,
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
  const free: number[] = [];
  for (const member of sortedMembers) {
    const mine = claimed.get(member) ?? [];
    const keep = quota.get(member) ?? 0;
    result.set(member, mine.slice(0, keep));
    free.push(...mine.slice(keep));
  }
  for (const n of [...present].sort((a, b) => a - b)) if (!taken.has(n)) free.push(n);
  free.sort((a, b) => a - b);
  for (const member of sortedMembers) {
    const own = result.get(member) as number[];
    const want = quota.get(member) ?? 0;
    while (own.length < want && free.length > 0) own.push(free.shift() as number);
    own.sort((a, b) => a - b);
  }
  return result;
}
