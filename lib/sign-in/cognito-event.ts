/** The Cognito Pre Token Generation event and response shapes this service reads and writes (V1, V2 and V3). */

export const TriggerSource = {
  hostedAuth: 'TokenGeneration_HostedAuth',
  authentication: 'TokenGeneration_Authentication',
  newPasswordChallenge: 'TokenGeneration_NewPasswordChallenge',
  authenticateDevice: 'TokenGeneration_AuthenticateDevice',
  refreshTokens: 'TokenGeneration_RefreshTokens',
  /** V3 only: a machine-to-machine client-credentials grant. There is no user. */
  clientCredentials: 'TokenGeneration_ClientCredentials',
} as const;
export type TriggerSource = (typeof TriggerSource)[keyof typeof TriggerSource];
/** The sources of a user's sign-in (every one but client credentials), which must name the user. */
export const USER_TRIGGER_SOURCES: readonly string[] = Object.values(TriggerSource).filter((source) => source !== TriggerSource.clientCredentials);

/** Whether Cognito documents `source` (the schema also accepts any other `TokenGeneration_*`, counted as unknown). */
export function isKnownTriggerSource(source: string): source is TriggerSource {
  return (KNOWN_SOURCES as ReadonlySet<string>).has(source);
}
const KNOWN_SOURCES: ReadonlySet<string> = new Set(Object.values(TriggerSource));

export interface GroupConfiguration {
  groupsToOverride?: string[];
  iamRolesToOverride?: string[];
  preferredRole?: string | null;
}

export interface ClaimsOverride {
  claimsToAddOrOverride?: Record<string, unknown>;
  claimsToSuppress?: string[];
}

export interface AccessTokenOverride extends ClaimsOverride {
  scopesToAdd?: string[];
  scopesToSuppress?: string[];
}

/** V1 response (ID token only; claim values must be strings). */
export interface ClaimsOverrideDetails extends ClaimsOverride {
  groupOverrideDetails?: GroupConfiguration;
}

/** V2/V3 response (ID and access token). */
export interface ClaimsAndScopeOverrideDetails {
  idTokenGeneration?: ClaimsOverride;
  accessTokenGeneration?: AccessTokenOverride;
  groupOverrideDetails?: GroupConfiguration;
}

export interface PreTokenGenerationEvent {
  /** "1" for V1_0 events ("0" from cognito-local), "2" for V2_0, "3" for V3_0. */
  version: string;
  /** One of {@link TriggerSource}, or another `TokenGeneration_*` Cognito may add. */
  triggerSource: TriggerSource | (string & {});
  region: string;
  userPoolId: string;
  userName?: string | null;
  callerContext: { awsSdkVersion?: string; clientId: string };
  request: {
    /** Strings, as Cognito sends them (`email_verified` may be anything: an IdP's mapping can send a boolean). */
    userAttributes: Record<string, string>;
    groupConfiguration?: GroupConfiguration;
    clientMetadata?: Record<string, string> | null;
    scopes?: string[];
  };
  response: {
    claimsOverrideDetails?: ClaimsOverrideDetails | null;
    claimsAndScopeOverrideDetails?: ClaimsAndScopeOverrideDetails | null;
  };
}

/** Whether the event expects the V2/V3 response shape (`claimsAndScopeOverrideDetails`). */
export function usesV2Response(event: Pick<PreTokenGenerationEvent, 'version'>): boolean {
  return Number(event.version) >= 2;
}
