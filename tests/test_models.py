import uuid

import pytest
from django.db import IntegrityError, transaction

from assessments.models import Answer, Campaign, hash_token

from .factories import make_campaign, make_organisation, make_questionnaire, make_responses

pytestmark = pytest.mark.django_db


def test_an_answer_outside_one_to_five_is_refused_by_the_database():
    questionnaire = make_questionnaire(dimensions=1, items_per_dimension=1)
    campaign, _ = make_campaign(make_organisation(), questionnaire)
    (response,) = make_responses(campaign, 1)
    item = questionnaire.ordered_items()[0]
    Answer.objects.filter(response=response).delete()
    for bad in (0, 6):
        with pytest.raises(IntegrityError), transaction.atomic():
            Answer.objects.create(response=response, item=item, value=bad)
    Answer.objects.create(response=response, item=item, value=None)  # n.v.t. is allowed


def test_a_response_has_at_most_one_answer_per_item():
    questionnaire = make_questionnaire(dimensions=1, items_per_dimension=1)
    campaign, _ = make_campaign(make_organisation(), questionnaire)
    (response,) = make_responses(campaign, 1)
    item = questionnaire.ordered_items()[0]
    with pytest.raises(IntegrityError), transaction.atomic():
        Answer.objects.create(response=response, item=item, value=3)


def test_a_threshold_below_three_is_refused_by_the_database():
    campaign, _ = make_campaign(make_organisation(), make_questionnaire())
    with pytest.raises(IntegrityError), transaction.atomic():
        Campaign.objects.filter(pk=campaign.pk).update(threshold=2)


def test_the_round_link_token_is_long_and_only_its_hash_is_stored():
    campaign, token = make_campaign(make_organisation(), make_questionnaire())
    assert len(token) >= 43  # 32 random bytes in URL-safe base64
    assert token not in campaign.link_token_hash
    assert campaign.link_token_hash == hash_token(token)
    assert Campaign.objects.by_link_token(token) == campaign


def test_a_response_stores_no_person_invitation_address_or_time():
    from assessments.models import Response

    # An allow-list: any new field on a response must be argued for here.
    columns = {f.name: f.get_internal_type() for f in Response._meta.concrete_fields}
    assert columns == {
        "id": "UUIDField",
        "campaign": "ForeignKey",
        "sequence": "PositiveIntegerField",
        "team": "ForeignKey",
        "role": "CharField",
        "tenure": "CharField",
        "contract": "CharField",
        # The answers of this same response and their dimension sums, derived when it is
        # stored (one row per respondent for the results): nothing about the person.
        "packed_answers": "CharField",
        "dimension_sums": "CharField",
        "scores_version": "PositiveSmallIntegerField",
    }
    assert Response._meta.get_field("id").default is uuid.uuid4
