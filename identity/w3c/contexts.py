"""JSON-LD context URLs, and gongzhi's own small context (``identity/w3c/gongzhi-v1.jsonld``).

gongzhi's context is identified by ``https://gongzhi.example/ns/v1`` (``.example`` is reserved
by RFC 2606, so the URL can never be hijacked; a deployment that publishes the file keeps this
identifier, because credentials carry it). The JCS cryptosuites never fetch or expand
contexts, so nothing here does network I/O; the file is shipped as package data so auditors
with JSON-LD tools can load it offline. Its terms:

* ``CommitteeRegistrationCredential`` — the street office (街道) records an owners'
  committee (业委会备案) for ``communityId``; its subject, a ``CommitteeRegistration``, has a
  ``sequence`` number, the ``previous`` registration's hash, the ``members`` (each an ``id``
  with a ``role``), the ``decisionRule`` (``numerator`` / ``denominator``), the ``server``
  (``statusIssuer`` DID, ``disclosureLogKey`` note key) and, when it names any, the
  disclosure log's ``witnesses`` (each a cosignature ``vkey`` with a ``role``);
* ``OwnershipCredential`` — a committee member attests that the subject holds ``units``, each
  a ``unitId`` with its registered exclusive ``area``;
* ``CommitteeMemberCredential`` — the committee attests membership, with ``role``;
* ``CommunityRoleCredential`` — the street office names a community's property manager or an
  auditor (``communityId``, ``role``);
* ``area`` — a decimal string of an integer number of 0.01 m² (``"8937"`` = 89.37 m²), typed
  ``gz:HundredthSquareMetre``: exact, with no JSON number (and so no float) involved.

Every type and property gongzhi issues is defined here, so a JSON-LD processor in safe mode
(nothing dropped, no relative IRI) expands each credential; a test checks it offline.
"""

from __future__ import annotations

import json
from importlib import resources
from typing import Any

VC_V2_CONTEXT = "https://www.w3.org/ns/credentials/v2"
GONGZHI_V1_CONTEXT = "https://gongzhi.example/ns/v1"
GONGZHI_CONTEXT_FILE = "gongzhi-v1.jsonld"


def gongzhi_context() -> dict[str, Any]:
    """The context document served at `GONGZHI_V1_CONTEXT` (reads the package data file)."""
    text = resources.files("identity.w3c").joinpath(GONGZHI_CONTEXT_FILE).read_text("utf-8")
    document: dict[str, Any] = json.loads(text)
    return document
