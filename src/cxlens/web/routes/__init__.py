"""The dashboard's routes, one thin module per menu area (or per concept within one: cases,
programmes, QA calibration...), each an ``APIRouter`` that ``cxlens.web.app`` registers
explicitly. A route parses the request, asks a builder for the page and renders it; the
builders live outside this package. docs/pages.md (generated) maps every page URL to its
route module, builder and template."""
