"""DMTD purchases (licences): `POST /1/purchase`.

A purchase records the content locale of a learner (D21, `protocol.learner_locale`); it is not
required before assessing.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends
from fastapi.responses import JSONResponse
from pydantic import Field, PlainValidator, model_validator

from emulator.core.clock import iso
from emulator.dmtd import content
from emulator.dmtd.auth import Org, Principal, principal
from emulator.dmtd.errors import BadRequest
from emulator.dmtd.models import DmtdPurchase
from emulator.dmtd.params import LearnerHeader, json_body
from emulator.dmtd.schemas import Ref, WireIn, choice, optional_choice
from emulator.dmtd.store import Operations, find_learner, new_id, operations

SYSTEM_DOMAINS = ("vbmapp", "efl")
PRODUCT_TYPES = ("assessment", "training")
TRAINING_PRODUCTS = ("conducting",)


# ------------------------------------------------------------------------------------- wire

class PurchaseIn(WireIn):
    """`POST /1/purchase` (§5.10, D21)."""

    system_domain: Annotated[str, PlainValidator(choice(SYSTEM_DOMAINS))] = Field(
        alias="systemDomain")
    product_type: Annotated[str, PlainValidator(choice(PRODUCT_TYPES))] = Field(
        alias="productType")
    locale: Annotated[str, PlainValidator(choice(content.LOCALES))]
    training_product: Annotated[str | None, PlainValidator(optional_choice(
        TRAINING_PRODUCTS))] = Field(default=None, alias="trainingProduct")

    @model_validator(mode="after")
    def _training_needs_product(self) -> PurchaseIn:
        if self.product_type == "training" and self.training_product is None:
            raise ValueError("trainingProduct is required when productType is 'training'")
        return self


def purchase_out(purchase: DmtdPurchase, organization_id: int) -> dict[str, Any]:
    """The [C] `POST /1/purchase` response; a training purchase also names its product."""
    description = {"systemDomain": purchase.system_domain, "productType": purchase.product_type}
    if purchase.training_product is not None:
        description["trainingProduct"] = purchase.training_product
    return {
        "quantity": 1, "subscriptionLength": {"type": "years", "length": 1},
        "id": purchase.id, "purchasedProductsGenerated": True,
        "organizationId": organization_id, "updatedAt": iso(purchase.updated_at),
        "createdAt": iso(purchase.created_at), "completed": True,
        "productDescription": description,
    }


# ------------------------------------------------------------------------------- operations

class PurchasesOps(Operations):
    def create_purchase(self, org: Principal, learner_ref: Ref | None,
                        data: PurchaseIn) -> DmtdPurchase:
        """D21: a learner is required for an assessment purchase, optional for training."""
        if data.product_type == "assessment" and learner_ref is None:
            raise BadRequest("X-LearnerId or X-LearnerCode is required when productType is "
                             "'assessment'")
        with self.ctx.db.transaction() as session:
            learner = find_learner(session, org, learner_ref) if learner_ref else None
            now = self.ctx.now(session, org.tenant_id)
            purchase = DmtdPurchase(
                tenant_id=org.tenant_id, id=new_id(session, "purchase"),
                learner_id=learner.id if learner else None, system_domain=data.system_domain,
                product_type=data.product_type, locale=data.locale,
                training_product=data.training_product, created_at=now, updated_at=now)
            session.add(purchase)
            return purchase


# ----------------------------------------------------------------------------------- routes

router = APIRouter(dependencies=[Depends(principal)])
Ops = Annotated[PurchasesOps, Depends(operations(PurchasesOps))]


@router.post("/1/purchase")
def create_purchase(
    org: Org, ops: Ops, learner: LearnerHeader,
    body: Annotated[PurchaseIn, Depends(json_body(PurchaseIn))],
) -> JSONResponse:
    """Record a purchase (licence), for a learner when it is an assessment.

    DMTD "/1/purchase - POST" [C] (fact sheet §5.10, D21). Not emulated: billing; a
    purchase is not required before assessing.
    """
    return JSONResponse(purchase_out(ops.create_purchase(org, learner, body),
                                     org.organization_id))
