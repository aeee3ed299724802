"""Accounts of the marketplace's people (PRODUCT.md §8, §11): found by the marketplace's id
when it sends one, else by username, and created without a usable password.

In two steps, so that an import checks everything before it writes anything: ``plan``
reads which account each description is (and why one cannot be), ``save`` creates and
updates them.
"""

import secrets
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Literal

from django.contrib.auth.hashers import UNUSABLE_PASSWORD_PREFIX
from django.db.models import Q

from .models import User

type Field = Literal["id", "username", "email"]
# An account already saved (its primary key), or one to create (its username).
type Identity = int | str


@dataclass(frozen=True)
class Person:
    """One of the marketplace's people, as it describes them."""

    username: str
    email: str = ""
    marketplace_id: str = ""


@dataclass(frozen=True)
class Refusal:
    """Why the description at ``position`` cannot be saved, and which of its fields."""

    position: int
    field: Field
    code: str
    message: str


@dataclass
class Plan:
    """Which account each description is, in their order, and the refusals found."""

    people: Sequence[Person]
    existing: list[User | None]
    refusals: list[Refusal] = field(default_factory=list)

    def identity(self, position: int) -> Identity:
        user = self.existing[position]
        return self.people[position].username if user is None else user.pk


@dataclass
class Saved:
    """The accounts of a plan, by identity, and what saving did to them, in plan order."""

    users: dict[Identity, User]
    created: list[Identity] = field(default_factory=list)
    email_changed: list[Identity] = field(default_factory=list)
    renamed: list[Identity] = field(default_factory=list)


def plan(people: Sequence[Person]) -> Plan:
    """Which account each of ``people`` is, reading only: by marketplace id when given (a
    new username renames that account), else by username; ``None`` for one to create.

    Refused: a staff account, a username another account holds, and one person described
    twice with another email, id or username.
    """
    ids = [person.marketplace_id for person in people if person.marketplace_id]
    # Not in_bulk(): the id is unique only when given, which in_bulk() does not take. The
    # index's own condition, named, lets PostgreSQL use it for more than a hundred ids (it
    # proves "given" from the list only up to a hundred, then reads every account).
    with_ids = User.objects.filter(~Q(marketplace_id=""), marketplace_id__in=ids)
    by_id = {user.marketplace_id: user for user in with_ids}
    by_username = User.objects.in_bulk(
        [person.username for person in people], field_name="username"
    )
    result = Plan(people=people, existing=[])
    for position, person in enumerate(people):
        user, taken = _match(person, by_id, by_username)
        result.existing.append(user)
        if taken:
            result.refusals.append(_username_taken(position, person.username))
        elif user is not None and user.is_staff:
            message = f"{person.username!r} is a staff account"
            result.refusals.append(Refusal(position, "username", "staff", message))
    result.refusals.extend(_inconsistencies(result))
    result.refusals.sort(key=lambda refusal: refusal.position)
    return result


def find_account(*, marketplace_id: str = "", username: str = "") -> User | None:
    """The account of one person the marketplace names, by the rule ``plan`` applies to
    many: by its id when given, else by username, though never an account that already
    carries another id (that is another person). Sign-in finds people this way."""
    by_id = (
        {user.marketplace_id: user for user in User.objects.filter(marketplace_id=marketplace_id)}
        if marketplace_id
        else {}
    )
    by_username = User.objects.in_bulk([username], field_name="username") if username else {}
    user, _username_taken_by_another = _match(
        Person(username=username, marketplace_id=marketplace_id), by_id, by_username
    )
    return user


def _match(
    person: Person, by_id: dict[str, User], by_username: dict[str, User]
) -> tuple[User | None, bool]:
    """The account ``person`` is, and whether the username they are given is another
    account's."""
    named = by_username.get(person.username)
    if not person.marketplace_id:
        return named, False
    user = by_id.get(person.marketplace_id)
    if user is None:
        # A known username without an id gets this one; one with another id is another
        # person's.
        return (None, True) if named and named.marketplace_id else (named, False)
    return user, named is not None and named != user


def _username_taken(position: int, username: str) -> Refusal:
    message = f"{username!r} is already another account's username"
    return Refusal(position, "username", "username_taken", message)


def _inconsistencies(result: Plan) -> list[Refusal]:
    """One account described twice must be described alike, and two accounts may not end
    with one username or one marketplace id."""
    refusals = []
    first: dict[Identity, Person] = {}
    identity_of_id: dict[str, Identity] = {}
    identity_of_username: dict[str, Identity] = {}
    refused = {refusal.position for refusal in result.refusals}
    for position, person in enumerate(result.people):
        if position in refused:
            continue
        identity = result.identity(position)
        earlier = first.setdefault(identity, person)
        if person.email != earlier.email:
            refusals.append(_differs(position, "email", earlier.email))
        elif person.username != earlier.username:
            refusals.append(_differs(position, "username", earlier.username))
        elif identity_of_username.setdefault(person.username, identity) != identity:
            refusals.append(_username_taken(position, person.username))
        elif person.marketplace_id:
            known = identity_of_id.setdefault(person.marketplace_id, identity)
            if known != identity:  # one id given two usernames
                refusals.append(_differs(position, "username", first[known].username))
            elif earlier.marketplace_id and earlier.marketplace_id != person.marketplace_id:
                refusals.append(_differs(position, "id", earlier.marketplace_id))
    return refusals


def _differs(position: int, field_name: Field, earlier: str) -> Refusal:
    return Refusal(position, field_name, "differs", f"differs from an earlier record: {earlier!r}")


def save(planned: Plan) -> Saved:
    """Create the accounts ``planned`` found missing, without a usable password (their
    owners sign in through the marketplace), and give the others the username, email and
    id the marketplace now sends: it owns its people's details. Call only with no refusal."""
    assert not planned.refusals, planned.refusals
    saved = Saved(users={})
    new: dict[str, User] = {}
    # Accounts to update, by the fields that change: one statement for each combination.
    changed_by_fields: dict[tuple[str, ...], list[User]] = defaultdict(list)
    for position, person in enumerate(planned.people):
        identity = planned.identity(position)
        user = planned.existing[position]
        if identity in saved.users or identity in new:
            continue
        if user is None:
            new[person.username] = User(
                username=person.username,
                email=person.email,
                marketplace_id=person.marketplace_id,
                password=_unusable_password(),
            )
            saved.created.append(identity)
            continue
        saved.users[identity] = user
        changed = _update(user, person)
        if "email" in changed:
            saved.email_changed.append(identity)
        if "username" in changed:
            saved.renamed.append(identity)
        if changed:
            changed_by_fields[tuple(changed)].append(user)
    for fields, users in changed_by_fields.items():
        User.objects.bulk_update(users, fields)
    # Skips those another transaction created meanwhile (a retried request still running).
    User.objects.bulk_create(new.values(), ignore_conflicts=True)
    saved.users |= User.objects.in_bulk(list(new), field_name="username")
    return saved


def _unusable_password() -> str:
    """What ``make_password(None)`` gives, "!" and 40 random characters (each account its
    own: a password reset link depends on it), from one read of the system's randomness
    rather than one per character: 2 µs instead of 130, for each account an import creates."""
    return UNUSABLE_PASSWORD_PREFIX + secrets.token_urlsafe(30)


def _update(user: User, person: Person) -> list[str]:
    changed = []
    if person.email and user.email != person.email:
        user.email = person.email
        changed.append("email")
    if person.marketplace_id and user.username != person.username:
        user.username = person.username
        changed.append("username")
    if person.marketplace_id and not user.marketplace_id:
        user.marketplace_id = person.marketplace_id
        changed.append("marketplace_id")
    return changed
