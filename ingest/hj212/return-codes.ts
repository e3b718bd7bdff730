/**
 * HJ 212-2017 return codes (domain-facts.md §3.4): `QnRtn` in a request response (CN 9011)
 * and `ExeRtn` in an execution result (CN 9012).
 */

/** QnRtn: the receiver's verdict on a request. */
export const QN_RTN = {
  ready: 1,
  rejected: 2,
  passwordError: 3,
  mnError: 4,
  stError: 5,
  flagError: 6,
  qnError: 7,
  cnError: 8,
  crcError: 9,
  unknown: 100,
} as const;
export type QnRtn = (typeof QN_RTN)[keyof typeof QN_RTN];

/** ExeRtn: the outcome of executing a command. */
export const EXE_RTN = {
  success: 1,
  failed: 2,
  conditionError: 3,
  timeout: 4,
  busy: 5,
  systemFault: 6,
  noData: 100,
} as const;
export type ExeRtn = (typeof EXE_RTN)[keyof typeof EXE_RTN];

const QN_RTN_TEXT: Record<number, string> = {
  1: 'ready to execute',
  2: 'request rejected',
  3: 'password error',
  4: 'MN error',
  5: 'ST error',
  6: 'Flag error',
  7: 'QN error',
  8: 'CN error',
  9: 'CRC error',
  100: 'unknown error',
};

const EXE_RTN_TEXT: Record<number, string> = {
  1: 'success',
  2: 'failed (reason unknown)',
  3: 'condition error',
  4: 'communication timeout',
  5: 'busy',
  6: 'system fault',
  100: 'no data',
};

/** Human text for a QnRtn value, for logs and command acks. */
export function describeQnRtn(code: number): string {
  return QN_RTN_TEXT[code] ?? `unrecognised QnRtn ${code}`;
}

/** Human text for an ExeRtn value. */
export function describeExeRtn(code: number): string {
  return EXE_RTN_TEXT[code] ?? `unrecognised ExeRtn ${code}`;
}
