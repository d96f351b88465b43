/** What both benchmark baselines read of the event, and the sign-in query they send (the service's, minus its checks). */
import { fql, type Query } from 'fauna';

export interface MinimalEvent {
  userPoolId: string;
  triggerSource: string;
  callerContext: { clientId: string };
  request: { userAttributes: Record<string, string> };
}

export function signInQuery(event: MinimalEvent): Query {
  const { sub = '', email = '' } = event.request.userAttributes;
  const meta = { userPoolId: event.userPoolId, clientId: event.callerContext.clientId, triggerSource: event.triggerSource };
  return fql`signIn(${sub}, ${email.trim().toLowerCase()}, true, ${3900}, ${meta}, 10)`;
}
