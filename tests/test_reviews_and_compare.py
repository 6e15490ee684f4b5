"""Verified reviews (only after paying the provider) and the compare list (up to three)."""

from datetime import date

import pytest
from sqlmodel import select

from marketplace.models import Provider, ProviderPaymentRecord, Review, Role
from marketplace.providers.reviews import has_paid_provider
from tests.client_request import error_messages, field_error, normalised_text
from tests.factories import create_user, person_of
from tests.factories_providers import create_listed_provider


def record_payment(session, person, provider):
    session.add(ProviderPaymentRecord(person_id=person.id, provider_id=provider.id, paid_on=date.today(),
                                      reference="INV-1"))
    session.commit()


@pytest.fixture
def paid(session):
    """A budget holder who has paid a listed provider."""
    user = create_user(session, role=Role.PERSON, name="Sam Taylor")
    provider = create_listed_provider(session, name="Brightpath Home Care")
    record_payment(session, person_of(session, user), provider)
    return user, provider


def test_a_person_who_paid_the_provider_reviews_it_and_the_rating_shows(client_request, session, paid):
    user, provider = paid
    client_request.login(user)
    profile = client_request.get(f"/providers/{provider.id}")
    assert profile.find("a", string="Review Brightpath Home Care")
    client_request.post(f"/providers/{provider.id}/review", {"rating": "4", "text": "Kind and on time."},
                        expected_redirect=f"/providers/{provider.id}")
    page = client_request.get(f"/providers/{provider.id}")
    text = normalised_text(page.select_one("main"))
    assert "Rating: 4.0 out of 5 (1 review)" in text
    assert "4 out of 5 from Sam" in text and "Kind and on time." in text
    assert "4.0 out of 5 (1 review)" in normalised_text(client_request.get("/providers").select_one(".app-result"))


def test_one_review_per_person_which_they_can_change(client_request, session, paid):
    user, provider = paid
    client_request.login(user)
    client_request.post(f"/providers/{provider.id}/review", {"rating": "2", "text": "Late twice."})
    page = client_request.get(f"/providers/{provider.id}/review")
    assert normalised_text(page.h1) == "Change your review of Brightpath Home Care"
    assert page.select_one("#text").get_text() == "Late twice."
    client_request.post(f"/providers/{provider.id}/review", {"rating": "5", "text": "Much better now."})
    reviews = session.exec(select(Review).where(Review.provider_id == provider.id)).all()
    assert [(r.rating, r.text) for r in reviews] == [(5, "Much better now.")]
    session.refresh(provider)
    assert (provider.average_rating, provider.review_count) == (5.0, 1)


def test_a_person_cannot_review_a_provider_they_have_not_paid(client_request, session):
    provider = create_listed_provider(session, name="Never Used")
    client_request.login(create_user(session, role=Role.PERSON))
    assert client_request.get(f"/providers/{provider.id}").find("a", string="Review Never Used") is None
    client_request.get(f"/providers/{provider.id}/review", expected_status=403)
    client_request.post(f"/providers/{provider.id}/review", {"rating": "1", "text": "Awful"}, expected_status=403)
    assert session.exec(select(Review)).first() is None


def test_paying_one_provider_does_not_allow_reviewing_another(session, paid):
    user, provider = paid
    other = create_listed_provider(session)
    person = person_of(session, user)
    assert has_paid_provider(session, person.id, provider.id)
    assert not has_paid_provider(session, person.id, other.id)


@pytest.mark.parametrize(("form", "field", "message"), [
    ({"text": "Fine"}, "rating", "Choose how many stars you would give"),
    ({"rating": "6", "text": "Fine"}, "rating", "Choose from 1 to 5 stars"),
    ({"rating": "3", "text": "   "}, "text", "Write your review"),
    ({"rating": "3", "text": "x" * 2001}, "text", "Your review must be 2,000 characters or fewer"),
])
def test_review_mistakes_are_explained(client_request, session, paid, form, field, message):
    user, provider = paid
    client_request.login(user)
    page = client_request.post(f"/providers/{provider.id}/review", form, expected_status=400)
    assert field_error(page, field) == message
    assert message in error_messages(page)
    assert session.exec(select(Review)).first() is None


def test_html_in_a_review_is_shown_as_text(client_request, session, paid):
    user, provider = paid
    client_request.login(user)
    client_request.post(f"/providers/{provider.id}/review", {"rating": "5", "text": "<script>alert(1)</script> Ŵonderful 🙂"})
    page = client_request.get(f"/providers/{provider.id}")
    assert page.select_one(".app-review script") is None
    assert "<script>alert(1)</script> Ŵonderful 🙂" in normalised_text(page.select_one(".app-review"))


def test_the_provider_replies_once(client_request, session, paid):
    user, provider = paid
    client_request.login(user)
    client_request.post(f"/providers/{provider.id}/review", {"rating": "3", "text": "Fine but rushed."})
    review = session.exec(select(Review)).one()

    client_request.login(create_user(session, role=Role.PROVIDER, provider=provider))
    page = client_request.post(f"/provider/reviews/{review.id}/reply", {"text": ""}, expected_status=400)
    assert field_error(page, "text") == "Write your reply"
    client_request.post(f"/provider/reviews/{review.id}/reply", {"text": "Sorry, we have added time to each visit."})
    client_request.post(f"/provider/reviews/{review.id}/reply", {"text": "Second go"},
                        expected_redirect="/provider/reviews")
    session.refresh(review)
    assert review.reply_text == "Sorry, we have added time to each visit."
    client_request.logout()
    assert "Reply from Brightpath Home Care Sorry, we have added time" in normalised_text(
        client_request.get(f"/providers/{provider.id}").select_one(".app-review"))


def test_a_provider_cannot_reply_to_another_providers_review(client_request, session, paid):
    user, provider = paid
    client_request.login(user)
    client_request.post(f"/providers/{provider.id}/review", {"rating": "3", "text": "Fine."})
    review = session.exec(select(Review)).one()
    client_request.login(create_user(session, role=Role.PROVIDER))
    client_request.get(f"/provider/reviews/{review.id}/reply", expected_status=404)
    client_request.post(f"/provider/reviews/{review.id}/reply", {"text": "Hijack"}, expected_status=404)


def test_the_council_hides_a_review_with_a_reason_and_the_rating_follows(client_request, session, paid):
    user, provider = paid
    client_request.login(user)
    client_request.post(f"/providers/{provider.id}/review", {"rating": "1", "text": "Names a carer rudely."})
    review = session.exec(select(Review)).one()

    client_request.login(create_user(session, role=Role.COMMISSIONER))
    link = client_request.get(f"/providers/{provider.id}").select_one(".app-review a")
    assert link["href"] == f"/admin/reviews/{review.id}/hide"
    page = client_request.post(link["href"], {"reason": ""}, expected_status=400)
    assert field_error(page, "reason") == "Enter the reason"
    client_request.post(link["href"], {"reason": "Names a member of staff"})
    session.refresh(review)
    session.refresh(provider)
    assert review.hidden_reason == "Names a member of staff" and review.hidden_by_id is not None
    assert (provider.review_count, provider.average_rating) == (0, None)
    assert client_request.get(f"/providers/{provider.id}").select(".app-review") == []


# Compare

def _add(client_request, provider: Provider, expected_status=302):
    return client_request.post("/compare/add", {"provider_id": provider.id, "next": "/providers"},
                               expected_status=expected_status)


def test_compare_three_providers_side_by_side(client_request, session):
    names = ["Ash Care", "Birch Care", "Cedar Care"]
    providers = [create_listed_provider(session, name=n, price_pence=2000 + i * 100, areas=("LS6", f"LS{10 + i}"))
                 for i, n in enumerate(names)]
    for provider in providers:
        _add(client_request, provider)
    page = client_request.get("/compare", category="personal_care")
    headers = [normalised_text(th) for th in page.select("thead th")]
    assert headers == names
    prices = [normalised_text(td) for td in page.select("tbody tr")[0].select("td")]
    assert prices == ["£20.00 per hour Help at home", "£21.00 per hour Help at home", "£22.00 per hour Help at home"]
    assert normalised_text(page.select("tbody tr")[0].th) == "Price for personal care"


def test_a_fourth_provider_is_refused_with_a_message(client, client_request, session):
    providers = [create_listed_provider(session) for _ in range(4)]
    for provider in providers[:3]:
        _add(client_request, provider)
        client_request.get("/providers")
    _add(client_request, providers[3])
    page = client_request.get("/providers")
    assert normalised_text(page.select_one(".govuk-notification-banner")) == (
        "Important You can compare up to 3 providers. Remove one before adding another.")
    with client.session_transaction() as flask_session:
        assert flask_session["compare"] == [p.id for p in providers[:3]]


def test_removing_from_compare(client_request, session):
    keep, drop = create_listed_provider(session, name="Keep"), create_listed_provider(session, name="Drop")
    _add(client_request, keep)
    _add(client_request, drop)
    client_request.post("/compare/remove", {"provider_id": drop.id, "next": "/compare"}, expected_redirect="/compare")
    assert [normalised_text(th) for th in client_request.get("/compare").select("thead th")] == ["Keep"]


def test_a_suspended_provider_drops_out_of_compare(client_request, session):
    provider = create_listed_provider(session, name="Was Fine")
    _add(client_request, provider)
    provider.suspended_at = provider.created_at
    session.add(provider)
    session.commit()
    page = client_request.get("/compare")
    assert "You have not chosen any providers to compare yet." in normalised_text(page.select_one("main"))


def test_unvetted_or_unknown_providers_cannot_be_added(client_request, session):
    unvetted = Provider(name="Not Checked")
    session.add(unvetted)
    session.commit()
    _add(client_request, unvetted, expected_status=404)
    client_request.post("/compare/add", {"provider_id": "abc"}, expected_status=404)


def test_compare_only_goes_back_to_pages_on_this_site(client_request, session):
    provider = create_listed_provider(session)
    client_request.post("/compare/add", {"provider_id": provider.id, "next": "https://evil.example/"},
                        expected_redirect="/compare")
