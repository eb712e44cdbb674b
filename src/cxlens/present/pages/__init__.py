"""The bespoke pages' page models, one module per URL area (``/qa`` → ``qa.py``, ``/cases`` →
``cases.py``, ...): each builder takes a :class:`~cxlens.present.model.PageCtx` (warehouse,
viewer, vendor in scope, request parameters) and returns a :class:`~cxlens.present.model.Page`
whose ``tables`` and ``extra`` carry what the page's template and JSON twin show. Builders ask
the domain packages (``qa``, ``contracts``, ``loop``, ``alerts``, ``store``) for data and
never run SQL themselves; the routes in ``cxlens.web`` only parse the request, call the
builder and render (docs/dashboard.md, "Where the code lives")."""
