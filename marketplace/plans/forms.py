"""Forms for the support plan."""

from marketplace.date_input import DateInputField
from marketplace.forms import BaseForm, LongTextField, Submit, TextField


class PlanForm(BaseForm):
    what_matters = LongTextField("What matters to you",
                                 description="In your own words: the people, places and things that matter most.")
    needs = LongTextField("What you need help with",
                          description="For example, getting washed and dressed, or getting out of the house.")
    agreed_on = DateInputField("Date the plan was agreed", what="the date the plan was agreed", optional=True)
    review_on = DateInputField("Date to look at the plan again", what="the review date", optional=True)
    # Each of the plan page's three forms has its own button id: ids on a page must differ.
    submit = Submit("Save the plan", id="plan-submit")


class OutcomeForm(BaseForm):
    text = TextField("Outcome", description="Something you want to do or achieve, like "
                                            "“Get to the allotment twice a week”.")
    submit = Submit("Add outcome", id="outcome-submit")


class PlanCommentForm(BaseForm):
    # Not "text": the outcome form on the same page has a box of that name, and ids must differ.
    comment = LongTextField("Your comment", description="Everyone who can see this plan can read it.")
    submit = Submit("Add comment", id="comment-submit")
