"""The expected answers of the permission matrix, written from the documented rules, not from the code.

Sources: DESIGN.md rule 2 ("a unit sees its own subtree; the whistleblower's identity is readable
only by the assigned handler"), danvan/orgs/roles.py (viewer and Front supervisor do not edit), the
docstrings of each app's rules.py (editing is admin/head/officer; deleting and signing admin/head)
and the API operation descriptions in docs/openapi.json. The rules functions themselves are never
called here: that would only prove the code agrees with itself.

Relations are "where the object's unit stands relative to the user's unit":

- ``own``: user in commune C, object in C;
- ``child``: user in province P, object in its commune C (a role holds on the whole subtree);
- ``sibling``: user in C, object in the sibling commune S;
- ``parent``: user in C, object in the province P (nothing of a unit above is readable from below,
  except what the rules publish downwards: issued plans, the regime a unit reports to);
- ``other``: user in C, object in a commune Q of another province (cross-tenant);
- ``nobody``: an account with no membership, object in C; ``anon``: not signed in, object in C.
"""

from __future__ import annotations

ALL_ROLES = ("admin", "head", "officer", "reception_officer", "case_handler", "front_supervisor", "viewer")

# Which role cells each relation tries: every role on the own unit; the most powerful and the
# weakest from above; the most powerful and an ordinary editor across a boundary.
RELATION_ROLES = {
    "own": ALL_ROLES,
    "child": ("admin", "viewer"),
    "sibling": ("admin", "officer"),
    "parent": ("admin", "officer"),
    "other": ("admin", "officer"),
}
RELATION_UNIT = {"own": "C", "child": "C", "sibling": "S", "parent": "P", "other": "Q", "nobody": "C", "anon": "C"}
USER_UNIT = {"own": "C", "child": "P", "sibling": "C", "parent": "C", "other": "C"}

# Access classes of a route or an operation:
#   read    – any role of a unit covering the object may read it;
#   change  – editing: admin is allowed, viewer (a read-only role) is refused;
#   decide  – deleting, signing, voiding: admin allowed, viewer refused;
#   handler – the whistleblower's identity: only the assigned case handler;
#   self    – a user's own token/notification: only its owner;
#   public  – the public site: anyone, for a published object (the world's objects are private
#             unless listed in world.PUBLIC_KINDS), so it is refused to everyone otherwise;
#   global  – no object in the address: a list, a form for a new object, a search; answers vary by
#             role but never leak (see the leak check), and the anonymous visitor is sent to log in.
OBJECT_CLASSES = {"read", "change", "decide", "front", "stateful", "handler", "self", "public", "formread"}


def expected(access: str, relation: str, role: str | None, *, published: bool = False,
             parent_visible: bool = False) -> bool | None:
    """True: must be allowed; False: must be refused; None: not asserted (still leak-checked)."""
    if access == "public":
        return True if published else False
    if access == "global":
        return False if relation == "anon" else None
    if access == "formread":  # readable by any signed-in user (report forms are shared templates)
        return relation != "anon"
    if relation in ("anon", "nobody", "sibling", "other"):
        return False
    if relation == "parent":
        return None if parent_visible else False
    if access == "handler":
        return relation == "own" and role == "case_handler"
    if access == "self":
        return relation == "own" and role == "officer"
    if access == "read":
        return True
    if access == "stateful":  # needs a state the world's object may not be in: refusals only
        return None
    # change / decide: the viewer never edits, nor does the Front supervisor except where the Front
    # supervises (class "front"); the admin always may.
    if role == "viewer" or (role == "front_supervisor" and access != "front"):
        return False
    if role == "admin":
        return True
    return None
