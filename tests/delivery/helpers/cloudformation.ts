/**
 * Just enough of CloudFormation's intrinsic functions to read ARNs in a packaged template as strings
 * (`Fn::Join`, `Fn::Sub`, `Ref` to pseudo parameters), with fixed pseudo parameter values.
 */

export const PSEUDO = { 'AWS::Partition': 'aws', 'AWS::Region': 'us-east-1', 'AWS::AccountId': '123456789012' } as const;

export interface Resource {
  Type: string;
  Properties: Record<string, unknown>;
  DependsOn?: unknown;
}

export interface Template {
  Resources: Record<string, Resource>;
}

export interface Statement {
  Effect: string;
  Action: string | string[];
  Resource: unknown;
  Condition?: Record<string, Record<string, unknown>>;
}

/** Thrown when a value uses an intrinsic this helper does not know, so a test never compares against a guess. */
export class UnrenderableValueError extends Error {
  constructor(value: unknown) {
    super(`Cannot render ${JSON.stringify(value)} to a string`);
    this.name = 'UnrenderableValueError';
  }
}

/** Renders a string-valued CloudFormation expression. `Fn::GetAtt` renders as `<GetAtt:Logical.Attr>`. */
export function render(value: unknown): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'number') return String(value);
  if (value && typeof value === 'object') {
    const object = value as Record<string, unknown>;
    if ('Ref' in object && typeof object.Ref === 'string' && object.Ref in PSEUDO) return PSEUDO[object.Ref as keyof typeof PSEUDO];
    if ('Fn::Join' in object) {
      const [separator, parts] = object['Fn::Join'] as [string, unknown[]];
      return parts.map(render).join(separator);
    }
    if ('Fn::Sub' in object && typeof object['Fn::Sub'] === 'string') {
      return object['Fn::Sub'].replace(/\$\{(AWS::\w+)\}/g, (match, name: string) => (name in PSEUDO ? PSEUDO[name as keyof typeof PSEUDO] : match));
    }
    if ('Fn::GetAtt' in object) return `<GetAtt:${(object['Fn::GetAtt'] as string[]).join('.')}>`;
  }
  throw new UnrenderableValueError(value);
}

export const asList = <T>(value: T | T[] | undefined): T[] => (value === undefined ? [] : Array.isArray(value) ? value : [value]);

/** Every statement of every inline policy of an IAM role resource. */
export function roleStatements(role: Resource): Statement[] {
  const policies = (role.Properties.Policies ?? []) as { PolicyDocument: { Statement: Statement[] } }[];
  return policies.flatMap((policy) => policy.PolicyDocument.Statement);
}

export function resourcesOfType(template: Template, type: string): [string, Resource][] {
  return Object.entries(template.Resources).filter(([, resource]) => resource.Type === type);
}
