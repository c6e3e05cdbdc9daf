"""One form per user action; Flask-WTF adds the CSRF token to each."""
from __future__ import annotations

from flask_wtf import FlaskForm
from flask_wtf.file import FileField, MultipleFileField
from wtforms.fields.choices import SelectChoice
from wtforms import (BooleanField, DateField, FloatField, HiddenField, IntegerField, PasswordField, SelectField,
                     SelectMultipleField, StringField, SubmitField, TextAreaField)
from wtforms.validators import URL, AnyOf, DataRequired, InputRequired, Length, NumberRange, Optional, ValidationError

from factcheck import permissions, search, users, verdicts, workflow
from factcheck.claims import MAX_CLAIM
from factcheck.errors import InvalidInput
from factcheck.models import ClaimStatus, LinkState, Role, Stance, User
from factcheck.security import MAX_ID

def options(pairs) -> list[SelectChoice]:
    """WTForms 3.3 wants SelectChoice objects rather than (value, label) tuples."""
    return [SelectChoice(str(value), label) for value, label in pairs]


STATUS_CHOICES = [("", "any status")] + [(s.value, s.label) for s in ClaimStatus]


class LoginForm(FlaskForm):
    username = StringField("Username", validators=[DataRequired(), Length(max=80)])
    password = PasswordField("Password", validators=[DataRequired(), Length(max=256)])
    submit = SubmitField("Log in")


class LogoutForm(FlaskForm):
    submit = SubmitField("Log out")


class ImportForm(FlaskForm):
    title = StringField("Title", validators=[Optional(), Length(max=500)])
    outlet = StringField("Outlet", validators=[Optional(), Length(max=200)])
    url = StringField("Article URL", validators=[Optional(), URL(require_tld=False), Length(max=2000)])
    author = StringField("Author", validators=[Optional(), Length(max=300)])
    published_at = DateField("Published on", validators=[Optional()])
    text = TextAreaField("Article text", validators=[Optional()])
    file = FileField("…or upload a .txt or .html file")
    fetch = BooleanField("…or fetch the page at the article URL")
    again = BooleanField("Import it again even if its URL is already on the desk (an updated story)")
    submit = SubmitField("Import and extract claims")

    def source(self):
        """What to import: the upload, else the page at the URL when asked, else the pasted text."""
        from factcheck.articles import ArticleSource

        upload = self.file.data
        if upload and upload.filename:
            return ArticleSource(filename=upload.filename, data=upload.read())
        if self.fetch.data and self.url.data and not (self.text.data or "").strip():
            return ArticleSource(url=self.url.data.strip())
        return ArticleSource(text=self.text.data or None)


class ReextractForm(FlaskForm):
    submit = SubmitField("Extract claims again")


class VersionedForm(FlaskForm):
    version = HiddenField()

    def expected_version(self) -> int | None:
        try:
            return int(self.version.data)
        except (TypeError, ValueError):
            return None


class StatusForm(VersionedForm):
    status = SelectField("Move to", choices=options([(s.value, s.label) for s in ClaimStatus]))
    reason = StringField("Reason", validators=[Optional(), Length(max=2000)])
    submit = SubmitField("Change status")


class AssignForm(VersionedForm):
    assignee = SelectField("Assign to", coerce=str, choices=[])
    submit = SubmitField("Assign")


CLAIM_TEXT = [DataRequired(message="A claim needs some text."),
              Length(max=MAX_CLAIM, message=f"A claim is at most {MAX_CLAIM} characters.")]
SPEAKER = [Optional(), Length(max=300, message="A speaker is at most 300 characters.")]


class EditClaimForm(VersionedForm):
    text = TextAreaField("Claim", validators=CLAIM_TEXT)
    speaker = StringField("Speaker", validators=SPEAKER)
    submit = SubmitField("Save claim")


class AddClaimForm(FlaskForm):
    text = TextAreaField("Claim", validators=CLAIM_TEXT)
    speaker = StringField("Speaker", validators=SPEAKER)
    submit = SubmitField("Add claim")


class SplitForm(FlaskForm):
    parts = TextAreaField("One claim per line", validators=[DataRequired(), Length(max=10000)])
    submit = SubmitField("Split")


class MergeForm(FlaskForm):
    others = StringField("Claim ids to merge into this one (comma-separated)", validators=[DataRequired(), Length(max=500)])
    submit = SubmitField("Merge")


class WorthinessForm(FlaskForm):
    worthy = SelectField("Check-worthy?", choices=options([("", "use the score"), ("yes", "yes"), ("no", "no")]))
    submit = SubmitField("Set")


class EvidenceForm(FlaskForm):
    url = StringField("Source URL", validators=[DataRequired(), Length(max=2000)])
    quote = TextAreaField("Quote", validators=[Optional(), Length(max=10000)])
    stance = SelectField("Stance", choices=options([(s.value, s.value) for s in Stance]))
    note = TextAreaField("Note", validators=[Optional(), Length(max=10000)])
    submit = SubmitField("Add evidence")


class VerdictForm(VersionedForm):
    rating = SelectField("Rating", coerce=int, choices=[])
    rationale = TextAreaField("Rationale", validators=[DataRequired(), Length(min=10, max=20000)])
    submit = SubmitField("Propose verdict")


class SignOffForm(FlaskForm):
    submit = SubmitField("Sign off and publish")


class SendBackForm(FlaskForm):
    reason = TextAreaField("Why does it go back?", validators=[DataRequired(), Length(max=5000)])
    submit = SubmitField("Send back")


LINK_DECISION = "A link can be confirmed or rejected."
LINK_OTHER = "Give the number of the claim to link, a whole number such as 42."


class LinkDecisionForm(FlaskForm):
    decision = HiddenField(validators=[DataRequired(message=LINK_DECISION),
                                       AnyOf(["confirmed", "rejected"], message=LINK_DECISION)])
    seen = HiddenField(validators=[Optional(), AnyOf([s.value for s in LinkState])])  # the state the page showed
    submit = SubmitField("Save")


class LinkForm(FlaskForm):
    # DataRequired would read 0 as missing and hide why "abc" failed: every failure names what is needed.
    other = IntegerField("Claim id", invalid_value_message=LINK_OTHER,
                         validators=[InputRequired(message=LINK_OTHER),
                                     NumberRange(min=1, max=MAX_ID, message=LINK_OTHER)])
    submit = SubmitField("Link as same claim")


class ReuseForm(FlaskForm):
    verdict_id = HiddenField(validators=[DataRequired()])
    submit = SubmitField("Reuse this verdict")


class SearchForm(FlaskForm):
    class Meta:
        csrf = False  # GET, changes nothing

    q = StringField("Search claims", validators=[Optional()])
    status = SelectField("Status", choices=options(STATUS_CHOICES), validators=[Optional()])
    verdict = SelectField("Verdict", choices=[], validators=[Optional()])
    outlet = SelectField("Outlet", choices=[], validators=[Optional()])
    speaker = StringField("Speaker", validators=[Optional(), Length(max=300)])
    date_from = DateField("From", validators=[Optional()])
    date_to = DateField("To", validators=[Optional()])
    article = IntegerField("Article", validators=[Optional(), NumberRange(min=1, max=MAX_ID)])  # from an article page
    page = IntegerField("Page", default=1, validators=[Optional(), NumberRange(
        min=1, max=100000, message="The page number must be between 1 and 100,000.")])

    def validate_date_to(self, field):
        if field.data and self.date_from.data and self.date_from.data > field.data:
            raise ValidationError(search.REVERSED_DATES)


class UserForm(FlaskForm):
    username = StringField("Username", validators=[DataRequired(), Length(min=2, max=80)])
    password = PasswordField("Password", validators=[DataRequired(), Length(max=256)])
    role = SelectField("Role", choices=options([(r.value, r.value) for r in Role]))
    submit = SubmitField("Create user")


class UserRoleForm(FlaskForm):
    role = SelectField("Role", choices=options([(r.value, r.value) for r in Role]))
    active = BooleanField("Active")
    submit = SubmitField("Save")


RATING_VALUE = "A rating value is a number, such as 3 or 2.5."


class RatingForm(FlaskForm):
    name = StringField("Name", validators=[DataRequired(message="A rating needs a name."), Length(max=80)])
    value = FloatField("Value", invalid_value_message=RATING_VALUE,
                       validators=[InputRequired(message=RATING_VALUE)])
    description = TextAreaField("Description", validators=[Optional(), Length(max=2000)])
    active = BooleanField("Active", default=True)
    submit = SubmitField("Save rating")


class MoveRatingForm(FlaskForm):
    direction = HiddenField(validators=[AnyOf(["up", "down"], message="A rating moves up or down.")])


class BulkForm(FlaskForm):
    claim_ids = SelectMultipleField("Claims", coerce=int, validate_choice=False,
                                    validators=[DataRequired(message="Select at least one claim.")])
    action = SelectField("Action", choices=options([("assign", "assign to"), ("status", "move to"), ("dismiss", "dismiss")]))
    assignee = SelectField("Assignee", choices=[], validators=[Optional()])
    status = SelectField("Status", choices=options([("", "—")] + STATUS_CHOICES[1:]), validators=[Optional()])
    submit = SubmitField("Apply to selected")


TOKEN_EXPIRY = "Expiry is a whole number of days from 1 to 3650, or empty for never."


class TokenForm(FlaskForm):
    name = StringField("Name (what uses it)",
                       validators=[DataRequired(message="A token needs a name."), Length(max=100)])
    expires_days = IntegerField("Expires after (days; empty: never)", invalid_value_message=TOKEN_EXPIRY,
                                validators=[Optional(), NumberRange(min=1, max=3650, message=TOKEN_EXPIRY)])
    submit = SubmitField("Create token")


class RevokeTokenForm(FlaskForm):
    submit = SubmitField("Revoke")


# Forms whose choices come from the database, and the set a claim page shows.

def assignee_choices(session) -> list[tuple[str, str]]:
    members = users.list_users(session=session, active_only=True)
    return options([("", "nobody")] + [(u.username, f"{u.username} ({u.role})") for u in members])


def rating_choices(session) -> list[tuple[int, str]]:
    return options((r.id, r.name) for r in verdicts.scale(session))


def bulk_form(session) -> BulkForm:
    form = BulkForm()
    form.assignee.choices = options([("", "—")] + [(u.id, u.username) for u in users.list_users(session=session, active_only=True)])
    return form


def status_choices(actor, claim) -> list[SelectChoice]:
    return options((s.value, s.label) for s in workflow.allowed_moves(actor, claim))


def claim_forms(session, actor, claim) -> dict:
    """The claim page's forms, fresh: never filled from the request, which may be another form's failed POST."""
    fresh = {"formdata": None}
    assignee = session.get(User, claim.assignee_id) if claim.assignee_id else None
    assign = AssignForm(version=claim.version, assignee=assignee.username if assignee else "", **fresh)  # as it stands
    assign.assignee.choices = (assignee_choices(session) if permissions.is_editor(actor)
                               else options([(actor.username, f"{actor.username} (me)")]))
    status = StatusForm(version=claim.version, **fresh)
    status.status.choices = status_choices(actor, claim)
    verdict = VerdictForm(version=claim.version, **fresh)
    verdict.rating.choices = rating_choices(session)
    return {
        "assign": assign, "status": status, "verdict": verdict,
        "edit": EditClaimForm(version=claim.version, text=claim.text, speaker=claim.speaker, **fresh),
        "worthiness": WorthinessForm(**fresh), "split": SplitForm(**fresh), "merge": MergeForm(**fresh),
        "link": LinkForm(**fresh), "decide": LinkDecisionForm(**fresh), "evidence": EvidenceForm(**fresh),
        "sign_off": SignOffForm(**fresh), "send_back": SendBackForm(**fresh), "reuse": ReuseForm(**fresh),
    }


def parse_ids(text: str) -> list[int]:
    try:
        return [int(part) for part in text.replace(",", " ").split()]
    except ValueError:
        raise InvalidInput("Claim ids are whole numbers separated by commas.") from None


def search_form(session, args) -> SearchForm:
    form = SearchForm(formdata=args if hasattr(args, "getlist") else None, data=None if hasattr(args, "getlist") else args)
    form.verdict.choices = options([("", "any verdict")] + [(r.name, r.name) for r in verdicts.scale(session, include_inactive=True)])
    form.outlet.choices = options([("", "any outlet")] + [(o, o) for o in search.outlets(session)])
    return form


class PriorImportForm(FlaskForm):
    files = MultipleFileField("ClaimReview JSON-LD or Fact Check Tools JSON files")
    skip_existing = BooleanField("Skip fact-checks already stored (instead of refusing the file)")
    submit = SubmitField("Import fact-checks")

    def uploads(self) -> list[tuple[str, bytes]]:
        return [(f.filename, f.read()) for f in (self.files.data or []) if f and f.filename]


class AliasForm(FlaskForm):
    alias = StringField("Their rating", validators=[DataRequired(), Length(max=300)])
    rating = SelectField("Our rating", coerce=int, choices=[])
    submit = SubmitField("Save mapping")


def alias_form(session) -> AliasForm:
    form = AliasForm()
    form.rating.choices = rating_choices(session)
    return form


class EmbedClaimsForm(FlaskForm):
    submit = SubmitField("Embed claims that have no vector")
