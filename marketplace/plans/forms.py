"""Forms for the support plan."""

from marketplace.budgets.forms import DayMonthYearField
from marketplace.forms import BaseForm, LongTextField, Submit, TextField


class OptionalDayMonthYearField(DayMonthYearField):
    """A date that may be left blank (all three boxes empty)."""

    def process_formdata(self, valuelist):
        if not any(value.strip() for value in valuelist):
            self.data, self.raw_data = None, ["", "", ""]
            return
        super().process_formdata(valuelist)


class PlanForm(BaseForm):
    what_matters = LongTextField("What matters to you",
                                 description="In your own words: the people, places and things that matter most.")
    needs = LongTextField("What you need help with",
                          description="For example, getting washed and dressed, or getting out of the house.")
    agreed_on = OptionalDayMonthYearField("Date the plan was agreed", what="date the plan was agreed")
    review_on = OptionalDayMonthYearField("Date to look at the plan again", what="review date")
    submit = Submit("Save the plan")


class OutcomeForm(BaseForm):
    text = TextField("Outcome", description="Something you want to do or achieve, like "
                                            "“Get to the allotment twice a week”.")
    submit = Submit("Add outcome")
