"""Sign-in links (PRODUCT.md §10, §11): the marketplace asks for a one-time link for one of
its people and a page of this site, then redirects its signed-in user to it. The link's
rules are in ``accounts.sign_in_links``."""

from django.conf import settings
from django.shortcuts import resolve_url
from drf_spectacular.utils import OpenApiExample, extend_schema
from rest_framework import exceptions, serializers, status
from rest_framework.response import Response

from accounts.provisioning import find_account
from accounts.sign_in_links import (
    LinkKind,
    create_link,
    is_safe_next,
    refusal,
    url_of,
)
from orders.importing.validating import is_text

from . import schema
from .errors import InvalidRequest, body_object, problem
from .serializers import Moment
from .views import ApiView


class AccountRefused(exceptions.APIException):
    """A staff or inactive account: it never gets a link (the code says which)."""

    status_code = status.HTTP_403_FORBIDDEN
    default_code = "staff_account"


class UnknownAccount(exceptions.NotFound):
    default_code = "unknown_account"


class SignInLinkSerializer(serializers.Serializer):
    url = serializers.URLField(help_text="Redirect the person's browser here. Works once.")
    expires_at = Moment(help_text="After this, the link signs nobody in.")


REQUEST = {
    "type": "object",
    "additionalProperties": False,
    "oneOf": [{"required": ["username"]}, {"required": ["account_id"]}],
    "properties": {
        "username": {"type": "string", "minLength": 1, "maxLength": 150},
        "account_id": {
            "type": "string",
            "minLength": 1,
            "description": "The marketplace's id of the account (`id` beside `username` in "
            "an order record).",
        },
        "next": {
            "type": "string",
            "default": "/",
            "description": "A path of this site, starting with a single /: the page the "
            "person lands on (default: My account). Another site, //host or /\\host is refused.",
        },
    },
}


class SignInLinksView(ApiView):
    @extend_schema(
        operation_id="create_sign_in_link",
        summary="A one-time sign-in link for an account and a page of this site",
        description="Redirect the person's browser to `url` at once: it signs them in "
        "(ending any session the browser had) and opens `next`, once, until `expires_at` "
        "(SIGN_IN_LINK_MAX_AGE_SECONDS). Staff and inactive accounts get none.",
        request={"application/json": REQUEST},
        responses={
            201: SignInLinkSerializer,
            **schema.errors(400, 401),
            **schema.error(403, "`staff_account` or `inactive_account`: no link for it."),
            **schema.error(404, "`unknown_account`: no account has this username or id."),
            **schema.errors(415, 429),
        },
        examples=[
            OpenApiExample(
                "By username",
                value={"username": "alice", "next": "/orders/8030112233445566/"},
                request_only=True,
            )
        ],
    )
    def post(self, request):
        data = body_object(request.data, {"username", "account_id", "next"})
        next_path = data.get("next", resolve_url(settings.LOGIN_REDIRECT_URL))
        problems = []
        if ("username" in data) == ("account_id" in data):
            problems.append(problem("username", "give either username or account_id"))
        for name in ("username", "account_id"):
            if name in data and not (isinstance(data[name], str) and data[name]):
                problems.append(problem(name, "must be a non-empty string"))
            elif name in data and not is_text(data[name]):
                problems.append(problem(name, "must be text without NUL characters"))
        if not is_safe_next(next_path):
            problems.append(problem("next", "must be a path of this site, starting with /"))
        if problems:
            raise InvalidRequest("The body is not a valid sign-in link request.", problems=problems)
        user = _account(data)
        if (refused := refusal(user)) is not None:
            raise AccountRefused(f"This account cannot sign in with a link ({refused}).", refused)
        token, link = create_link(user=user, kind=LinkKind.HANDOFF, next_path=next_path)
        body = SignInLinkSerializer(
            {"url": url_of(token, LinkKind.HANDOFF), "expires_at": link.expires_at}
        ).data
        return Response(body, status=status.HTTP_201_CREATED)


def _account(data):
    user = find_account(
        marketplace_id=data.get("account_id", ""), username=data.get("username", "")
    )
    if user is not None:
        return user
    if "account_id" in data:
        raise UnknownAccount(f"No account has the id {data['account_id']!r}.")
    raise UnknownAccount(f"No account has the username {data['username']!r}.")
