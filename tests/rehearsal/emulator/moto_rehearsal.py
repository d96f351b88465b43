"""moto_server for the deploy rehearsal (tests/rehearsal/), with the two things moto 5 lacks taught to it.

moto's CloudFormation has no model for AWS::Cognito::UserPool / AWS::Cognito::UserPoolClient (a stack that creates a
pool fails with "Fn::GetAtt references undefined resource"), and it runs a custom resource's Lambda only in Docker
(there is none here, so a Custom::CognitoUserPool would never answer). This launcher adds, before it starts moto's own
server:

- CloudFormation models for the two Cognito types, backed by moto's own cognito-idp backend, so that the pool the
  stack creates is a real moto pool (DescribeUserPool shows its LambdaConfig); deleting a pool with DeletionProtection
  ACTIVE is refused, as Cognito does;
- a Docker-less runner for custom resources: the function's own deployment zip (as the framework uploaded it) is
  unpacked and its handler run by Node with the CloudFormation event, against this emulator; the response the handler
  sends to CloudFormation's pre-signed URL is captured and applied to the stack. Create, Update and Delete run
  synchronously, so a failed custom resource fails the deploy (moto would otherwise report success at once);
- a role's inline policies from a template stored as JSON (moto 5.2 keeps the template's dict, and GetRolePolicy then
  answers its Python repr, which no client can parse);
- a log group's `Fn::GetAtt Arn` ending in `:*`, as CloudFormation documents it (moto 5.2 leaves the `:*` off);
- a stack's outputs refreshed after a change set runs (moto 5.2 keeps those of the stack's first template, and osls
  deploys every template after the first through a change set).

Usage: python3 moto_rehearsal.py <host> <port>. Node: $REHEARSAL_NODE (default: node on PATH); modules the Lambda
runtime provides (@aws-sdk/*): $REHEARSAL_NODE_PATH.
"""

import io
import json
import os
import subprocess
import sys
import tempfile
import zipfile
from typing import Any

from moto.cloudformation import custom_model
from moto.cloudformation.exceptions import ValidationError
from moto.cloudformation.parsing import CustomModel
from moto.cognitoidp.models import cognitoidp_backends
from moto.core.common_models import CloudFormationModel
from moto.awslambda import lambda_backends

RUNNER = os.path.join(os.path.dirname(os.path.abspath(__file__)), "run-lambda.cjs")
HOST, PORT = sys.argv[1], int(sys.argv[2])


class CognitoUserPoolResource(CloudFormationModel):
    """AWS::Cognito::UserPool: Ref is the pool id; Arn, ProviderName and ProviderURL as CloudFormation documents."""

    # moto's model registry names a model's service after the second part of its module.
    __module__ = "moto.cognitoidp.rehearsal"

    def __init__(self, account_id: str, region: str, pool_id: str, props: dict[str, Any]):
        self.account_id, self.region, self.pool_id, self.props = account_id, region, pool_id, props

    @staticmethod
    def cloudformation_name_type() -> str:
        return "UserPoolName"

    @staticmethod
    def cloudformation_type() -> str:
        return "AWS::Cognito::UserPool"

    @classmethod
    def has_cfn_attr(cls, attr: str) -> bool:
        return attr in ("Arn", "ProviderName", "ProviderURL", "UserPoolId")

    @property
    def physical_resource_id(self) -> str:
        return self.pool_id

    def get_cfn_attribute(self, attribute_name: str) -> Any:
        pool = cognitoidp_backends[self.account_id][self.region].describe_user_pool(self.pool_id)
        if attribute_name == "Arn":
            return pool.arn
        if attribute_name == "UserPoolId":
            return pool.id
        if attribute_name == "ProviderName":
            return f"cognito-idp.{self.region}.amazonaws.com/{pool.id}"
        return f"https://cognito-idp.{self.region}.amazonaws.com/{pool.id}"

    @staticmethod
    def _config(props: dict[str, Any]) -> dict[str, Any]:
        # CloudFormation's properties are CreateUserPool's parameters, but for the name and a few renamed ones.
        config = {key: value for key, value in props.items() if key not in ("UserPoolName", "UserPoolTags")}
        if "UserPoolTags" in props:
            config["UserPoolTags"] = props["UserPoolTags"]
        return config

    @classmethod
    def create_from_cloudformation_json(cls, resource_name, cloudformation_json, account_id, region_name, **kwargs):  # type: ignore[override]
        props = cloudformation_json.get("Properties", {})
        backend = cognitoidp_backends[account_id][region_name]
        pool = backend.create_user_pool(props.get("UserPoolName", resource_name), cls._config(props))
        return cls(account_id, region_name, pool.id, props)

    @classmethod
    def update_from_cloudformation_json(cls, original_resource, new_resource_name, cloudformation_json, account_id, region_name):  # type: ignore[override]
        props = cloudformation_json.get("Properties", {})
        backend = cognitoidp_backends[account_id][region_name]
        backend.update_user_pool(original_resource.pool_id, cls._config(props))
        original_resource.props = props
        return original_resource

    def delete(self, account_id: str, region_name: str) -> None:
        backend = cognitoidp_backends[account_id][region_name]
        pool = backend.describe_user_pool(self.pool_id)
        if pool.extended_config.get("DeletionProtection") == "ACTIVE":
            # Cognito refuses DeleteUserPool on a protected pool, and CloudFormation's deletion then ends DELETE_FAILED.
            # moto deletes a stack within DeleteStack, so the refusal is DeleteStack's own error here, in CloudFormation's
            # (XML) error format so that the CLI can print it.
            raise ValidationError(message=f"{self.pool_id}: The user pool cannot be deleted because deletion protection is activated. Deletion protection must be inactivated first.")
        backend.delete_user_pool(self.pool_id)

    def is_created(self) -> bool:
        return True


class CognitoUserPoolClientResource(CloudFormationModel):
    """AWS::Cognito::UserPoolClient: Ref is the client id."""

    __module__ = "moto.cognitoidp.rehearsal"

    def __init__(self, account_id: str, region: str, pool_id: str, client_id: str):
        self.account_id, self.region, self.pool_id, self.client_id = account_id, region, pool_id, client_id

    @staticmethod
    def cloudformation_name_type() -> str:
        return "ClientName"

    @staticmethod
    def cloudformation_type() -> str:
        return "AWS::Cognito::UserPoolClient"

    @classmethod
    def has_cfn_attr(cls, attr: str) -> bool:
        return attr in ("ClientId", "Name")

    @property
    def physical_resource_id(self) -> str:
        return self.client_id

    def get_cfn_attribute(self, attribute_name: str) -> Any:
        return self.client_id

    @classmethod
    def create_from_cloudformation_json(cls, resource_name, cloudformation_json, account_id, region_name, **kwargs):  # type: ignore[override]
        props = dict(cloudformation_json.get("Properties", {}))
        pool_id = props.pop("UserPoolId")
        generate_secret = bool(props.pop("GenerateSecret", False))
        client = cognitoidp_backends[account_id][region_name].create_user_pool_client(pool_id, generate_secret, props)
        return cls(account_id, region_name, pool_id, client.id)

    @classmethod
    def update_from_cloudformation_json(cls, original_resource, new_resource_name, cloudformation_json, account_id, region_name):  # type: ignore[override]
        props = dict(cloudformation_json.get("Properties", {}))
        props.pop("UserPoolId", None)
        props.pop("GenerateSecret", None)
        cognitoidp_backends[account_id][region_name].update_user_pool_client(original_resource.pool_id, original_resource.client_id, props)
        return original_resource

    def delete(self, account_id: str, region_name: str) -> None:
        cognitoidp_backends[account_id][region_name].delete_user_pool_client(self.pool_id, self.client_id)

    def is_created(self) -> bool:
        return True


def run_custom_resource(code: dict[str, Any], event: dict[str, Any]) -> dict[str, Any]:
    """Runs the custom resource's handler from its zip with `event`; returns the response it sent CloudFormation."""
    with tempfile.TemporaryDirectory(prefix="rehearsal-lambda-") as folder:
        zipfile.ZipFile(io.BytesIO(code["zip"])).extractall(folder)
        answer_file = os.path.join(folder, ".cloudformation-response.json")
        env = {
            "PATH": os.environ.get("PATH", ""),
            "NODE_PATH": os.environ.get("REHEARSAL_NODE_PATH", ""),
            "AWS_ENDPOINT_URL": f"http://{HOST}:{PORT}",
            "AWS_ACCESS_KEY_ID": "rehearsal",
            "AWS_SECRET_ACCESS_KEY": "rehearsal",
            "AWS_REGION": code["region"],
            "AWS_LAMBDA_FUNCTION_NAME": code["name"],
            **code["environment"],
        }
        node = os.environ.get("REHEARSAL_NODE", "node")
        run = subprocess.run(
            [node, RUNNER, folder, code["handler"], code["arn"], answer_file],
            input=json.dumps(event), env=env, capture_output=True, text=True, timeout=120,
        )
        sys.stderr.write(f"[rehearsal] custom resource {event['LogicalResourceId']} {event['RequestType']}: exit {run.returncode}\n{run.stdout}{run.stderr}")
        if not os.path.exists(answer_file):
            return {"Status": "FAILED", "Reason": f"the custom resource's handler sent no response (exit {run.returncode}): {run.stderr[-500:]}"}
        with open(answer_file) as answer:
            return json.load(answer)


def function_code(account_id: str, region_name: str, service_token: str) -> dict[str, Any]:
    fn = lambda_backends[account_id][region_name].get_function(service_token)
    return {
        "zip": fn.code_bytes, "handler": fn.handler, "arn": fn.function_arn, "name": fn.function_name,
        "region": region_name, "environment": dict(fn.environment_vars or {}),
    }


def answer_or_fail(response: dict[str, Any], event: dict[str, Any]) -> dict[str, Any]:
    if response.get("Status") != "SUCCESS":
        raise ValidationError(message=f"Custom resource {event['LogicalResourceId']} ({event['ResourceType']}) failed to {event['RequestType'].lower()}: {response.get('Reason')}")
    return response.get("Data") or {}


def event_for(request_type: str, resource: Any, properties: dict[str, Any], old: dict[str, Any] | None = None) -> dict[str, Any]:
    event = {
        "RequestType": request_type, "ServiceToken": properties["ServiceToken"],
        "ResponseURL": f"https://{HOST}/cloudformation-response", "StackId": resource.stack_id,
        "RequestId": resource.request_id, "LogicalResourceId": resource.logical_id,
        "ResourceType": resource.resource_type, "ResourceProperties": properties,
    }
    if old is not None:
        event["OldResourceProperties"] = old
    return event


class RunnableCustomModel(CustomModel):
    """A custom resource run synchronously by run_custom_resource, Create, Update and Delete alike."""

    __module__ = "moto.cloudformation.rehearsal"

    @classmethod
    def create_from_cloudformation_json(cls, resource_name, cloudformation_json, account_id, region_name, **kwargs):  # type: ignore[override]
        properties = cloudformation_json["Properties"]
        resource = cls(region_name, custom_model.mock_random.uuid4().hex, kwargs["LogicalId"], resource_name)
        resource.stack_id, resource.resource_type, resource.properties = kwargs["StackId"], kwargs["ResourceType"], properties
        # The function may be deleted before this resource on a stack's deletion: keep its code for the Delete.
        resource.code = function_code(account_id, region_name, properties["ServiceToken"])
        event = event_for("Create", resource, properties)
        resource.set_data(answer_or_fail(run_custom_resource(resource.code, event), event))
        return resource

    @classmethod
    def update_from_cloudformation_json(cls, original_resource, new_resource_name, cloudformation_json, account_id, region_name):  # type: ignore[override]
        properties = cloudformation_json["Properties"]
        original_resource.code = function_code(account_id, region_name, properties["ServiceToken"])
        event = event_for("Update", original_resource, properties, original_resource.properties)
        original_resource.set_data(answer_or_fail(run_custom_resource(original_resource.code, event), event))
        original_resource.properties = properties
        return original_resource

    def delete(self, account_id: str, region_name: str) -> None:
        event = event_for("Delete", self, self.properties)
        answer_or_fail(run_custom_resource(self.code, event), event)


def install() -> None:
    import moto.cloudformation.parsing as parsing
    from moto.cloudformation.models import CloudFormationBackend

    execute_change_set = CloudFormationBackend.execute_change_set

    def execute_change_set_with_outputs(self, change_set_name, stack_name=None):  # type: ignore[no-untyped-def]
        execute_change_set(self, change_set_name, stack_name)
        for stack in self.stacks.values():
            stack._parse_template()
            stack.output_map = stack._create_output_map()

    CloudFormationBackend.execute_change_set = execute_change_set_with_outputs

    from moto.iam.models import Role

    put_policy = Role.put_policy

    def put_policy_as_json(self, policy_name, policy_json):  # type: ignore[no-untyped-def]
        put_policy(self, policy_name, policy_json if isinstance(policy_json, str) else json.dumps(policy_json))

    Role.put_policy = put_policy_as_json

    from moto.logs.models import LogGroup

    log_group_attribute = LogGroup.get_cfn_attribute

    def log_group_attribute_as_cloudformation(self, attribute_name):  # type: ignore[no-untyped-def]
        value = log_group_attribute(self, attribute_name)
        return f"{value}:*" if attribute_name == "Arn" else value

    LogGroup.get_cfn_attribute = log_group_attribute_as_cloudformation

    parsing.CustomModel = RunnableCustomModel  # resource_class_from_type() returns this for every Custom:: type
    parsing.get_model_map.cache_clear()
    parsing.get_name_type_map.cache_clear()


if __name__ == "__main__":
    install()
    from moto.server import main

    main([ "-H", HOST, "-p", str(PORT)])
