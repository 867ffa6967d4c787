/**
 * IAM-style wildcards, `*` any run of characters and (unless `question` is false) `?` one character, matched against the whole text. Both the
 * pattern (a policy's Action, from a record) and the text can come from input, so no RegExp: `^.*.*t.*t.*z$` made
 * from a policy took 30 s per action name in V8's backtracking engine. This loop backtracks only to the last `*`,
 * so it is O(pattern × text) at worst.
 */
export function wildcardMatch(pattern: string, text: string, question = true): boolean {
  let p = 0;
  let t = 0;
  let starP = -1;
  let starT = 0;
  while (t < text.length) {
    const c = pattern.charAt(p);
    if (p < pattern.length && c === '*') {
      starP = p++;
      starT = t;
    } else if (p < pattern.length && ((question && c === '?') || c === text.charAt(t))) {
      p++;
      t++;
    } else if (starP >= 0) {
      p = starP + 1;
      t = ++starT;
    } else {
      return false;
    }
  }
  while (pattern.charAt(p) === '*') p++;
  return p === pattern.length;
}
