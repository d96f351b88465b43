/** What both benchmark baselines read of the event, and the sign-in query they send (the service's, minus its checks). */
import { fql, type Query } from 'fauna';

export interface MinimalEvent {
  userPoolId: string;
  triggerSource: string;
  callerContext: { clientId: string };
  request: { userAttributes: Record<string, string>; groupConfiguration?: { groupsToOverride?: string[] } };
}

export function signInQuery(event: MinimalEvent): Query {
  const { sub = '', email = '' } = event.request.userAttributes;
  const meta = { userPoolId: event.userPoolId, clientId: event.callerContext.clientId, triggerSource: event.triggerSource };
  // The user's groups and (with the default empty IDENTITY_ATTRIBUTES) no attributes, as the service sends them (issue 22).
  const groups = [...(event.request.groupConfiguration?.groupsToOverride ?? [])];
  return fql`signIn(${sub}, ${email.trim().toLowerCase()}, true, ${3900}, ${meta}, 10, ${groups}, {})`;
}
