"""The integrator's scenario through the client that openapi-python-client generated from the
committed openapi/openapi.json: partner, assessment, agreement, activation refused, exception
granted, activation accepted.

    python scenario.py SERVER_URL        (the generated package `samverkan_client` on sys.path;
                                          tokens in TOKEN_ADMIN, TOKEN_CORA, TOKEN_PER,
                                          TOKEN_OFFICER, TOKEN_SECRETARY)
"""

import os
import sys
import uuid

from samverkan_client import AuthenticatedClient
from samverkan_client.api.agreements import activate_agreement, create_agreement, get_agreement
from samverkan_client.api.assessments import create_assessment, publish_assessment
from samverkan_client.api.exceptions import decide_exception, request_exception
from samverkan_client.api.partners import create_partner
from samverkan_client.api.units import create_unit
from samverkan_client.models import (Agreement, AgreementInput, Assessment, DecisionInput,
                                     ExceptionRequest, NewAssessment, NewPartner, NewUnit, Partner,
                                     Problem, PublishRequest)
from samverkan_client.models import ExceptionCase as ExceptionRecord


def step(name, response, status, model):
    ok = response.status_code == status and isinstance(response.parsed, model)
    print(f"{'ok' if ok else 'FAILED'}: {name} -> {int(response.status_code)}")
    if not ok:
        print(response.content.decode(errors="replace")[:800])
        sys.exit(1)
    return response.parsed


def main():
    base = sys.argv[1]
    clients = {name: AuthenticatedClient(base_url=base, token=os.environ[f"TOKEN_{name.upper()}"],
                                         raise_on_unexpected_status=True)
               for name in ["admin", "cora", "per", "officer", "secretary"]}
    run = uuid.uuid4().hex[:8]

    # Units: created once per database; a rerun finds them (409).
    for code, typ, parent in [("KS", "EXECUTIVE_BOARD", None), ("KFN", "COMMITTEE", "KS")]:
        body = {"code": code, "name": f"Enhet {code}", "type": typ}
        if parent:
            body["parentCode"] = parent
        r = create_unit.sync_detailed(client=clients["admin"], body=NewUnit.from_dict(body))
        assert r.status_code in (201, 409), r.content
    print("ok: units KS and KFN")

    partner = step("partner in Turkey", create_partner.sync_detailed(
        client=clients["cora"],
        body=NewPartner.from_dict({"name": f"Istanbul kulturforum {run}", "kind": "ORGANISATION",
                                   "countryCode": "TR", "city": "Istanbul"})), 201, Partner)

    judged = {"verdict": "MEETS", "rationale": "Meets the requirement."}
    failing = {"verdict": "DOES_NOT_MEET", "rationale": "Does not meet the requirement."}
    draft = step("assessment of TR drafted", create_assessment.sync_detailed(
        client=clients["cora"],
        body=NewAssessment.from_dict({"countryCode": "TR", "humanRights": judged,
                                      "democracy": failing, "ruleOfLaw": judged,
                                      "assessedAt": "2026-01-01", "validUntil": "2027-12-31"})),
        201, Assessment)
    step("assessment published by a second coordinator", publish_assessment.sync_detailed(
        # The generated function sends its UNSET default as JSON and fails, so pass an empty body.
        draft.id, client=clients["per"], if_match=f'"{draft.version}"',
        body=PublishRequest.from_dict({})), 200, Assessment)

    agreement = step("agreement registered (Idempotency-Key)", create_agreement.sync_detailed(
        client=clients["officer"], idempotency_key=f"client-py-{run}",
        body=AgreementInput.from_dict({
            "title": f"Kulturutbyte {run}", "type": "KNOWLEDGE_EXCHANGE", "unitCode": "KFN",
            "partnerIds": [str(partner.id)], "purposes": ["KNOWLEDGE_EXCHANGE"], "sdgs": [4, 11],
            "startDate": "2027-01-01", "endDate": "2027-12-31", "caseNumber": "KS 2026-00123"})),
        201, Agreement)

    refused = step("activation refused", activate_agreement.sync_detailed(
        agreement.id, client=clients["officer"], if_match=f'"{agreement.version}"'), 409, Problem)
    assert refused.type_.endswith("/activation-blocked"), refused.type_
    print(f"   refused: {refused.type_}")

    requested = step("exception requested", request_exception.sync_detailed(
        client=clients["officer"],
        body=ExceptionRequest.from_dict({"agreementId": str(agreement.id), "partnerId": str(partner.id),
                                         "justification": "Ett viktigt kulturutbyte.",
                                         "caseNumber": "KS 2026-00456"})), 201, ExceptionRecord)
    granted = step("exception granted by the board secretary", decide_exception.sync_detailed(
        requested.id, client=clients["secretary"], if_match=f'"{requested.version}"',
        body=DecisionInput.from_dict({"decision": "GRANTED", "decidingBody": "KOMMUNSTYRELSEN",
                                      "decidedAt": "2026-11-20", "protocolParagraph": "§ 448",
                                      "validFrom": "2026-11-20", "validUntil": "2027-12-31"})),
        200, ExceptionRecord)
    assert str(granted.status) == "GRANTED", granted.status

    current = step("agreement read", get_agreement.sync_detailed(agreement.id, client=clients["officer"]),
                   200, Agreement)
    active = step("activation accepted", activate_agreement.sync_detailed(
        agreement.id, client=clients["officer"], if_match=f'"{current.version}"'), 200, Agreement)
    assert str(active.status) == "ACTIVE", active.status
    print("python client scenario passed")


if __name__ == "__main__":
    main()
