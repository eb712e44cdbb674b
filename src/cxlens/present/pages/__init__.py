"""Every dashboard page's page model, one module per URL (``/drivers`` → ``drivers.py``,
``/qa`` → ``qa.py``, ``/cases`` → ``cases.py``, ...): each builder takes a
:class:`~cxlens.present.model.PageCtx` (warehouse, viewer, filters with the vendor in scope,
request parameters) and returns a :class:`~cxlens.present.model.Page` whose figures, charts,
``tables`` and ``extra`` carry what the page's template, JSON twin, CSVs and the report show.
Builders ask the domain packages (``metrics``, ``insights``, ``qa``, ``contracts``, ``loop``,
``alerts``, ``store``) for data and never run SQL themselves; the page model's pages are
registered by name in :mod:`cxlens.present.registry`; the routes in ``cxlens.web`` only parse
the request, call the builder and render (docs/dashboard.md, "Where the code lives")."""
