"""Words for the directory's codes: the roles a member can have on a committee and in their party group, as the
finder's filter and every member list show them, in the reader's language."""

from flask_babel import lazy_gettext

ROLE_LABELS = {
    "chair": lazy_gettext("Chair"),
    "vice-chair": lazy_gettext("Vice-chair"),
    "member": lazy_gettext("Member"),
    "substitute": lazy_gettext("Substitute member"),
}
# The Kamer records committee roles in Dutch; these are the ones seen in its data.
SEAT_ROLE_LABELS = {
    "Voorzitter": lazy_gettext("Chair"),
    "Fng voorzitter": lazy_gettext("Acting chair"),
    "Ondervoorzitter": lazy_gettext("Vice-chair"),
    "Lid": lazy_gettext("Member"),
    "Plv. lid": lazy_gettext("Substitute member"),
}
PARTY_ROLE_LABELS = {"Fractievoorzitter": lazy_gettext("Leader of the parliamentary party")}
