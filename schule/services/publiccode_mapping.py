"""How ``publiccode.yml`` vocabularies map to ours: development status to project status, and the
standard's ``categories`` and ``intendedAudience/scope`` to Handlungsfelder.

The tables are the documentation (README, "Harvesting publiccode.yml"); a value missing here maps
to nothing (a category is still kept as a tag). Handlungsfelder named here but not in the store
(a store without the seed's taxonomy) are left out.
"""

from __future__ import annotations

from schule.domain.model import ProjectStatus

STATUS: dict[str, ProjectStatus] = {
    "concept": ProjectStatus.IDEA,  # only an idea; the repository may be a placeholder
    "development": ProjectStatus.IMPLEMENTATION,  # code is being written, not ready for users
    "beta": ProjectStatus.IMPLEMENTATION,  # in testing: still being built and tried out
    "stable": ProjectStatus.OPERATION,  # released and ready for production
    "obsolete": ProjectStatus.STOPPED,  # no longer maintained, archived
}

# intendedAudience/scope (the standard's scope list) -> Handlungsfeld ids of seed/handlungsfelder.jsonl
SCOPE: dict[str, tuple[str, ...]] = {
    "agriculture": ("wirtschaft",),
    "culture": ("kultur-und-freizeit",),
    "defence": ("sicherheit",),
    "education": ("bildung",),
    "emergency-services": ("sicherheit",),
    "employment": ("wirtschaft",),
    "energy": ("energie",),
    "environment": ("umwelt",),
    "finance-and-economic-development": ("wirtschaft",),
    "foreign-affairs": ("verwaltung",),
    "healthcare": ("gesundheit",),
    "infrastructures": ("stadtentwicklung",),
    "justice": ("verwaltung",),
    "local-authorities": ("verwaltung",),
    "manufacturing": ("wirtschaft",),
    "research": ("technologie",),
    "science-and-technology": ("technologie",),
    "security": ("sicherheit",),
    "society": ("menschen",),
    "sport": ("kultur-und-freizeit",),
    "tourism": ("kultur-und-freizeit",),
    "transportation": ("mobilitaet",),
    "welfare": ("menschen",),
}

_DATA = ("daten-und-digitale-infrastruktur",)
_ADMIN = ("verwaltung",)
_PARTICIPATION = ("buergerbeteiligung",)
_ECONOMY = ("wirtschaft",)
_TECH = ("technologie",)

# categories (the standard's software categories) -> Handlungsfeld ids. Office and workplace tools
# of an administration count as Verwaltung; design and media tools map to nothing.
CATEGORIES: dict[str, tuple[str, ...]] = {
    **dict.fromkeys((
        "business-intelligence", "data-analytics", "data-collection", "data-visualization",
        "geographic-information-systems", "predictive-analysis", "cloud-management", "identity-management",
        "it-security", "network-management",
    ), _DATA),
    **dict.fromkeys((
        "digital-citizenship", "feedback-and-reviews-management", "online-community", "survey", "whistleblowing",
    ), _PARTICIPATION),
    **dict.fromkeys((
        "accounting", "agile-project-management", "applicant-tracking", "appointment-scheduling",
        "billing-and-invoicing", "budgeting", "business-process-management", "call-center-management",
        "collaboration", "communications", "compliance-management", "contact-management", "content-management",
        "crm", "customer-service-and-support", "digital-asset-management", "document-management", "e-signature",
        "email-management", "employee-management", "enterprise-project-management", "enterprise-social-networking",
        "erp", "financial-reporting", "grant-management", "help-desk", "hr", "instant-messaging",
        "knowledge-management", "office", "online-booking", "payroll", "procurement", "productivity-suite",
        "project-collaboration", "project-management", "resource-management", "service-desk", "talent-management",
        "task-management", "taxes-management", "time-management", "time-tracking", "video-conferencing",
        "visitor-management", "voip", "web-collaboration", "web-conferencing", "workflow-management",
    ), _ADMIN),
    **dict.fromkeys((
        "donor-management", "e-commerce", "email-marketing", "fundraising", "inventory-management", "marketing",
        "mobile-marketing", "mobile-payment", "payment-gateway", "sales-management", "seo", "warehouse-management",
    ), _ECONOMY),
    **dict.fromkeys((
        "application-development", "backup", "ide", "it-asset-management", "it-development", "it-management",
        "it-service-management", "remote-support", "test-management",
    ), _TECH),
    "educational-content": ("bildung",),
    "learning-management-system": ("bildung",),
    "event-management": ("kultur-und-freizeit",),
    "facility-management": ("stadtentwicklung",),
    "property-management": ("stadtentwicklung",),
    "real-estate-management": ("stadtentwicklung",),
    "fleet-management": ("mobilitaet",),
}

# The rest of the standard's category list: known, mapped to no Handlungsfeld (kept as tags).
UNMAPPED_CATEGORIES = frozenset((
    "blog", "cad", "design", "design-system", "gamification", "graphic-design", "mind-mapping", "translation",
    "video-editing", "website-builder",
))
KNOWN_CATEGORIES = frozenset(CATEGORIES) | UNMAPPED_CATEGORIES
KNOWN_SCOPES = frozenset(SCOPE)


def handlungsfelder_for(categories: tuple[str, ...], scope: tuple[str, ...]) -> list[str]:
    """The Handlungsfeld ids for a file's categories and scope, in table order, without repeats."""
    ids: list[str] = []
    for value in scope:
        ids.extend(SCOPE.get(value, ()))
    for value in categories:
        ids.extend(CATEGORIES.get(value, ()))
    return list(dict.fromkeys(ids))
