/**
 * Where a Lambda function runs: its AWS account and region. The revocation function acts only on CloudTrail events of
 * its own account and region, so it must know both; Lambda tells a function its account only through its own ARN
 * (`context.invokedFunctionArn`; no environment variable holds it), so the ARN is the one source of both. AWS_REGION
 * (which Lambda also sets) is used only where a caller passes no ARN: local tools such as `sls invoke local`, whose
 * context has none, on the local stage.
 */

export interface FunctionHome {
  /** The 12-digit account id; undefined only when no ARN was given (the local stage). */
  account: string | undefined;
  region: string | undefined;
}

const FUNCTION_ARN = /^arn:aws[a-z-]*:lambda:([a-z]{2}(?:-[a-z]+)+-\d+):(\d{12}):function:[\w-]+(?::[\w$-]+)?$/;

/**
 * The function's home from its ARN, else (no ARN, or not a Lambda function ARN) the region alone.
 *
 * @example functionHome('arn:aws:lambda:us-east-1:123456789012:function:cognito-fauna-dev-revokeFaunaTokens', undefined)
 *   // { account: '123456789012', region: 'us-east-1' }
 */
export function functionHome(invokedFunctionArn: unknown, fallbackRegion: string | undefined): FunctionHome {
  const match = typeof invokedFunctionArn === 'string' ? FUNCTION_ARN.exec(invokedFunctionArn) : null;
  if (match) return { account: match[2], region: match[1] };
  return { account: undefined, region: fallbackRegion };
}
