"""The account pages' own buttons (password and two-step forms live with sign-in, in auth)."""

from marketplace.forms import BaseForm, Submit


class StaySignedInForm(BaseForm):
    submit = Submit("Stay signed in")


class DownloadForm(BaseForm):
    submit = Submit("Download your data")
