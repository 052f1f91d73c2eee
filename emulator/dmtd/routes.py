"""DMTD routes: thin handlers that parse, call the backend and return the vendor body.

No `from __future__ import annotations` here: FastAPI must evaluate the route annotations,
which use aliases local to `build_app` (the auth dependencies are bound to the context).

Two routers carry the auth (D8, D9): `account` for endpoints open to every organization and
`beta` for the iFrame-only beta endpoints (the access matrix of fact-sheet §4.5).
`GET /javascripts/iframe_support.js` needs no auth (D25).
"""

from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

from fastapi import APIRouter, Depends, FastAPI, Response
from fastapi.responses import JSONResponse
from fastapi.routing import APIRoute

from emulator.core.errors import install_error_handlers
from emulator.core.vendor import Context
from emulator.dmtd import auth, content, errors, params, schemas
from emulator.dmtd.auth import Principal
from emulator.dmtd.backend import DmtdBackend
from emulator.dmtd.params import ProtocolQuery
from emulator.dmtd.schemas import (
    AssessmentFlags,
    AssessmentIn,
    LearnerIn,
    PurchaseIn,
    Ref,
    UserChoice,
    UserIn,
)

if TYPE_CHECKING:
    from emulator.dmtd import DmtdVendor

IFRAME_SUPPORT_JS = Path(__file__).with_name("iframe_support.js")

LearnerHeader = Annotated[Ref | None, Depends(params.learner_ref)]
RequiredLearner = Annotated[Ref, Depends(params.required_learner)]
UserHeader = Annotated[Ref | None, Depends(params.user_ref)]
RequiredUser = Annotated[Ref, Depends(params.required_user)]
NEEDS_VBMAPP = [Depends(params.system_domain)]
ContentLocale = Annotated[str, Depends(params.accept_language)]


def _json(body: Any, status: int = 200) -> JSONResponse:
    return JSONResponse(body, status_code=status)


def _register(app: FastAPI, router: APIRouter) -> None:
    """Put the router's routes, with the router-level auth dependency, on the app itself.

    This FastAPI's `include_router` nests a router in one wrapper route, which the control
    plane's coverage listing (top-level `APIRoute`s only) does not look into.
    """
    for route in router.routes:
        assert isinstance(route, APIRoute)
        app.router.add_api_route(route.path, route.endpoint, methods=sorted(route.methods or ()),
                                 dependencies=route.dependencies, name=route.name,
                                 response_model=None)


def build_app(ctx: Context, vendor: "DmtdVendor") -> FastAPI:
    app = FastAPI(title="DMTD VB-MAPP (emulated)", openapi_url=None, docs_url=None,
                  redoc_url=None)
    install_error_handlers(app, errors.render, on_validation=errors.from_validation,
                           on_http=errors.from_http)
    backend = DmtdBackend(ctx)
    principal, iframe_principal = auth.dependencies(ctx)
    Org = Annotated[Principal, Depends(principal)]
    IframeOrg = Annotated[Principal, Depends(iframe_principal)]
    account = APIRouter(dependencies=[Depends(principal)])
    beta = APIRouter(dependencies=[Depends(iframe_principal)])

    # ------------------------------------------------------------------------------ users

    @beta.post("/1/user")
    def create_user(
        org: IframeOrg, body: Annotated[UserIn, Depends(params.json_body(UserIn))],
    ) -> JSONResponse:
        """Create a user of an iFrame organization.

        DMTD "/1/user - POST" [C] v7 (fact sheet §5.1, D13, D24). Not emulated: user GET/PUT/
        DELETE (D26), the 2019 long user object, [R] timestamps.
        """
        return _json(schemas.user_out(backend.create_user(org, body)))

    @beta.post("/1/signin")
    def signin(org: IframeOrg, user: RequiredUser) -> JSONResponse:
        """Issue a temporary iFrame sign-in token for a user (valid 24 h).

        Inferred from client code (fact sheet §4.6, §5.16, D20). Not emulated: the frame
        screens that consume the token.
        """
        return _json(schemas.signin_out(backend.signin(org, user)))

    # ---------------------------------------------------------------------------- learners

    @account.post("/1/learner")
    def create_learner(
        org: Org, owner: UserHeader,
        body: Annotated[LearnerIn, Depends(params.json_body(LearnerIn))],
    ) -> JSONResponse:
        """Create a learner (iFrame: owned by the user of X-UserId/X-UserCode).

        DMTD "/1/learner - POST" [C] (fact sheet §5.2, D5, D6, D13, D19). Not emulated: the
        [R] array response, learner PUT/PATCH/DELETE (D26).
        """
        return _json(schemas.learner_out(backend.create_learner(org, owner, body),
                                         org.organization_id))

    @account.get("/1/learner")
    def list_learners(org: Org, user: UserHeader) -> JSONResponse:
        """List the organization's learners, or those a user may assess.

        [R] "/1/ Learner - GET" in the [C] learner shape (fact sheet §5.3, D18). Not
        emulated: the [R] element keys `parent`, `userId`, `reportsGenerated`, `v2id`.
        """
        return _json([schemas.learner_out(learner, org.organization_id)
                      for learner in backend.list_learners(org, user)])

    # ----------------------------------------------------------------------- authorizations

    @beta.post("/1/authorize")
    def authorize_user(
        org: IframeOrg, learner: RequiredLearner,
        body: Annotated[UserChoice, Depends(params.json_body(UserChoice))],
    ) -> JSONResponse:
        """Let another user assess a learner (200 granted, 202 already held).

        DMTD "/1/authorize - POST" [C] beta (fact sheet §5.4, D12, D15); the [R] `role` is
        accepted. Not emulated: the [R] success body and its `groupId`.
        """
        granted = backend.authorize(org, learner, params.chosen_user(body), body.role)
        return _json({}, 200 if granted else 202)

    @beta.delete("/1/authorize")
    def deauthorize_user(
        org: IframeOrg, learner: RequiredLearner,
        user: Annotated[Ref, Depends(params.deauthorize_target)],
    ) -> JSONResponse:
        """Remove a user's permission to assess a learner (200 removed, 202 had none).

        DMTD "/1/authorize - DELETE" [C] beta (fact sheet §5.5, D16): the user in the query
        or in a JSON body. Not emulated: nothing further is documented.
        """
        return _json({}, 200 if backend.deauthorize(org, learner, user) else 202)

    @beta.get("/1/authorize")
    def list_authorizations(org: IframeOrg, learner: RequiredLearner) -> JSONResponse:
        """List the users authorized to assess a learner.

        [R] "authorize-get" with integer ids and [C] timestamps (fact sheet §5.6, D17). Not
        emulated: the [R] string `learnerId` and Laravel timestamps.
        """
        view = backend.authorizations(org, learner)
        return _json(schemas.authorizations_out(view.learner, view.organization_name,
                                                view.entries))

    # -------------------------------------------------------------------------- assessments

    @beta.post("/1/assessment", dependencies=NEEDS_VBMAPP)
    def create_assessment(
        org: IframeOrg, user: RequiredUser, learner: RequiredLearner,
        body: Annotated[AssessmentIn, Depends(params.json_body(AssessmentIn))],
    ) -> JSONResponse:
        """Create an assessment for a learner the acting user may assess.

        DMTD "/1/assessment - POST" [C] beta (fact sheet §5.7, D14, D22). Not emulated: the
        [R] wrapped response (`defaultCalendar`, score totals); no purchase is required (D21).
        """
        return _json(schemas.assessment_out(
            backend.create_assessment(org, learner, user, body)))

    @beta.get("/1/assessments", dependencies=NEEDS_VBMAPP)
    @beta.get("/1/assessment", dependencies=NEEDS_VBMAPP)
    def get_assessments(
        org: IframeOrg, user: RequiredUser, learner: RequiredLearner,
        flags: Annotated[AssessmentFlags, Depends(params.assessment_flags)],
        locale: ContentLocale,
    ) -> JSONResponse:
        """Read a learner's assessments (scores, grids, grid scores, IEP on request).

        DMTD "/1/assessment - GET" [C] beta in the [R] envelope (fact sheet §5.8, D22).
        Not emulated: grid contents (always `[]`), computed IEP values.
        """
        items = backend.list_assessments(org, learner, user)
        iep = content.iep_template(locale) if flags.iep else []
        return _json(schemas.assessments_out(items, flags, iep))

    @beta.patch("/1/assessment", dependencies=NEEDS_VBMAPP)
    def update_assessment(
        org: IframeOrg, user: RequiredUser, learner: RequiredLearner,
        assessment_id: Annotated[int, Depends(params.assessment_id)],
        body: Annotated[AssessmentIn, Depends(params.json_body(AssessmentIn))],
    ) -> JSONResponse:
        """Change an assessment's start date or colour.

        DMTD "/1/assessment - PATCH" [C] (fact sheet §5.9, D22); the response is the POST
        shape (inferred). Not emulated: re-scoring after a reorder.
        """
        return _json(schemas.assessment_out(
            backend.update_assessment(org, learner, user, assessment_id, body)))

    # ---------------------------------------------------------------------------- purchases

    @account.post("/1/purchase")
    def create_purchase(
        org: Org, learner: LearnerHeader,
        body: Annotated[PurchaseIn, Depends(params.json_body(PurchaseIn))],
    ) -> JSONResponse:
        """Record a purchase (licence), for a learner when it is an assessment.

        DMTD "/1/purchase - POST" [C] (fact sheet §5.10, D21). Not emulated: billing; a
        purchase is not required before assessing.
        """
        return _json(schemas.purchase_out(backend.create_purchase(org, learner, body),
                                          org.organization_id))

    # ------------------------------------------------------------------------------ content

    @account.get("/1/protocol", dependencies=NEEDS_VBMAPP)
    def get_protocol(
        org: Org,
        query: Annotated[ProtocolQuery | None, Depends(params.protocol_query)],
    ) -> JSONResponse:
        """Read the protocol index, or the questions of one area and group.

        DMTD "/1/protocol - GET - Index" and "- Query" [C] (fact sheet §5.11, §5.12, D23),
        with synthetic placeholder content. Not emulated: the real VB-MAPP text and the
        unpublished question fields.
        """
        if query is None:
            return _json(schemas.protocol_index_out())
        answer = backend.protocol_query(org, query.learner, query.area, query.group,
                                        query.level, query.question_num)
        return _json(schemas.protocol_query_out(answer.group, answer.questions, answer.locale))

    @account.get("/1/guide", dependencies=[Depends(params.optional_system_domain)])
    def get_guide(locale: ContentLocale) -> JSONResponse:
        """Read the whole VB-MAPP guide (chapters and sections).

        Named on DMTD's Getting Started page [C] (fact sheet §5.13, D23, inferred shape),
        with synthetic placeholder content. Not emulated: the real guide text.
        """
        return _json(content.guide(locale))

    @account.get("/1/assessment_report/iep", dependencies=NEEDS_VBMAPP)
    def get_iep_report(org: Org, learner: RequiredLearner) -> JSONResponse:
        """Read the IEP report template for a learner.

        DMTD "/1/assessment_report/iep - GET" [C] (fact sheet §5.14, D23), synthetic
        paragraphs in the learner's content locale. Not emulated: filled-in values.
        """
        return _json(content.iep_template(backend.report_locale(org, learner)))

    for router in (beta, account):
        _register(app, router)

    @app.get("/javascripts/iframe_support.js")
    def iframe_support_js() -> Response:
        """Serve the browser script that opens the VB-MAPP iFrame screens.

        From client code (fact sheet §5.15, D25): the four functions render a placeholder
        naming the screen and its arguments. Not emulated: the real frame URLs.
        """
        return Response(IFRAME_SUPPORT_JS.read_bytes(), media_type="application/javascript")

    return app
