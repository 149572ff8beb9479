"""How an online service asks for a proof of residence (Meldebescheinigung) once-only.

    python examples/request_proof_of_residence.py --url http://127.0.0.1:8000 \\
        --key rmk_… --idnr 36574261809

Without ``--idnr`` the subject is named by attributes; the API answers only when exactly one
person clearly fits, and otherwise asks for the IDNr (a problem response, never a guess). With
``--preview`` the citizen first sees what would be transferred; the service confirms afterwards.
"""

from __future__ import annotations

import argparse
import json
from typing import Any

import httpx


def request_evidence(client: httpx.Client, subject: dict[str, Any], preview: bool) -> Any:
    """POST one evidence request; returns the JSON answer or raises with the problem detail."""
    body = {
        "evidence_type": "proof_of_residence",
        "legal_basis": "§ 18 BMG",
        "purpose": "Anwohnerparkausweis",
        "subject": subject,
        "preview": preview,
    }
    response = client.post("/v1/evidence-requests", json=body)
    if response.headers.get("content-type") == "application/problem+json":
        problem = response.json()
        raise SystemExit(f"{problem['title']}: {problem['detail']} ({problem['type']})")
    response.raise_for_status()
    return response.json()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", default="http://127.0.0.1:8000")
    parser.add_argument("--key", required=True, help="API key of the online service")
    parser.add_argument("--idnr")
    parser.add_argument("--preview", action="store_true")
    args = parser.parse_args()
    subject: dict[str, Any] = (
        {"idnr": args.idnr}
        if args.idnr
        else {
            "family_name": "Müller",
            "first_names": "Anna",
            "birth_date": "1980-04-12",
            "address": {"postcode": "50667"},
        }
    )
    headers = {"Authorization": f"Bearer {args.key}"}
    with httpx.Client(base_url=args.url, headers=headers, timeout=10.0) as client:
        answer = request_evidence(client, subject, args.preview)
        if answer["status"] == "preview":
            print("the citizen is shown these fields:", ", ".join(answer["preview_fields"]))
            input("press Enter once the citizen agreed … ")
            url = f"/v1/evidence-requests/{answer['request_id']}/confirm"
            response = client.post(url, json={"preview_token": answer["preview_token"]})
            response.raise_for_status()
            answer = response.json()
        print(json.dumps(answer, indent=2, ensure_ascii=False))


if __name__ == "__main__":
    main()
