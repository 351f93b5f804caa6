"""The GraphQL documents the pages run: the web app's whole contract with the API, in one place.

Entities are addressed by our own ids (``slug`` in the API, the same as in URLs and import files).
"""

START = """
query WebStart($news: Int!) {
  handlungsfelder(filter: {rootsOnly: true}, first: 100) { nodes { slug name description } }
  networks(first: 100) { nodes { slug name } }
  communes(first: 1) { totalCount }
  adaptations(first: 1) { totalCount }
  projects(first: $news, sort: UPDATED_DESC) { totalCount nodes { slug title updatedAt communes { slug name } } }
  lessons(first: $news, sort: UPDATED_DESC) { totalCount nodes { slug title updatedAt project { slug title } } }
}
"""

SEARCH = """
query WebSearch($query: String!, $filter: SearchFilter, $first: Int!, $offset: Int!) {
  search(query: $query, filter: $filter, first: $first, offset: $offset) {
    total
    hits {
      kind id title highlights
      node { __typename ... on Project { ...ProjectCard } ... on Lesson { ...LessonCard } }
    }
    facets { name values { value label count } }
    suggestions
  }
}
"""

PROJECT = """
query WebProject($id: String!, $projectId: ID!) {
  project(id: $id) {
    slug title summary description status tags links started ended license source state reviewNote
    communes { slug name }
    handlungsfelder { slug name }
    lessons { slug title type }
    contacts { slug name role email phone contactConsent }
    adaptations { slug title communes { slug name } }
    adaptedFrom { slug title communes { slug name } }
    lastConfirmedAt
    adoptionSummary { communes done inProgress planned abandoned }
    adaptationRecords(first: 10) { totalCount nodes { slug status commune { slug name } } }
    transfer {
      prerequisites { type text } effortDays { min max } costsOnce { min max } costsYearly { min max }
      funding { programme share } repository publiccode standards
      partners { role organisation { slug name } } documents { title url }
    }
  }
  # Asks for more than it shows: the field may also return other kinds than projects.
  similarProjects(id: $projectId, first: 20) { kind id title }
}
"""

LESSON = """
query WebLesson($id: String!) {
  lesson(id: $id) {
    slug title text type source state reviewNote lastConfirmedAt
    project { slug title communes { slug name } }
    author { slug name role }
    handlungsfelder { slug name }
  }
}
"""

ADAPTATION = """
query WebAdaptation($id: String!) {
  adaptation(id: $id) {
    slug status outcome started ended provenance state reviewNote
    source { slug title communes { slug name } }
    commune { slug name }
    project { slug title }
    contact { slug name role }
  }
}
"""

# A commune may have thousands of projects: the page shows one page of them at a time (the
# paginated `projects` list filtered by the commune, not the unbounded `Commune.projects`), moving
# forwards with `after` and back with `before`/`last`.
COMMUNE = """
query WebCommune($id: String!, $first: Int, $after: String, $last: Int, $before: String) {
  commune(id: $id) {
    slug name kreis region ags population sizeClass website source
    peers(first: 5) { reasons commune { slug name population } }
    people { slug name role }
    memberships { role basis since document network { slug name } }
    events { slug title date }
  }
  recommendations(commune: $id, first: 5) { reasons project { slug title summary communes { slug name } } }
  gaps: coverage(groupBy: COMMUNE, filter: {communes: [$id]}, onlyGaps: true) {
    handlungsfeld { slug name parent { slug } }
  }
  projects(filter: {communes: [$id]}, first: $first, after: $after, last: $last, before: $before) {
    totalCount
    nodes { slug title summary status }
    pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
  }
}
"""

PERSON = """
query WebPerson($id: String!) {
  person(id: $id) {
    slug name role expertise email phone contactConsent source
    employer {
      __typename
      ... on Commune { slug name }
      ... on Organisation { slug name }
    }
    projects { slug title }
    lessons { slug title type }
  }
}
"""

# A top-level field holds a sixth of all projects (1,700 at 10,000): the page shows the newest few
# with the count and links to the full, filterable lists (/projekte?hf=…, /erkenntnisse?hf=…).
HANDLUNGSFELD = """
query WebHandlungsfeld($id: String!, $first: Int!) {
  handlungsfeld(id: $id) {
    slug name description
    parent { slug name }
    children { slug name description }
  }
  projects(first: $first, filter: {handlungsfelder: [$id]}, sort: UPDATED_DESC) {
    totalCount nodes { slug title summary status communes { slug name } }
  }
  lessons(first: $first, filter: {handlungsfelder: [$id]}, sort: UPDATED_DESC) {
    totalCount nodes { slug title type }
  }
}
"""

NETWORK = """
query WebNetwork($id: String!) {
  network(id: $id) {
    slug name description source
    members { role basis since document commune { slug name kreis } }
    events { slug title date }
  }
}
"""

EVENT = """
query WebEvent($id: String!) {
  event(id: $id) {
    slug title date place description links source
    organiser {
      __typename
      ... on Commune { slug name }
      ... on Organisation { slug name }
      ... on Network { slug name }
    }
  }
}
"""

ORGANISATION = """
query WebOrganisation($id: String!) {
  organisation(id: $id) {
    slug name type website source
    people { slug name role }
    events { slug title date }
  }
}
"""

FORM_OPTIONS = """
query WebFormOptions {
  communes(first: 100) { nodes { slug name } pageInfo { hasNextPage endCursor } }
  handlungsfelder(first: 100) { nodes { slug name parent { slug } } }
}
"""

MORE_COMMUNES = """
query WebMoreCommunes($after: String!) {
  communes(first: 100, after: $after) { nodes { slug name } pageInfo { hasNextPage endCursor } }
}
"""

PROJECT_CHOICES = """
query WebProjectChoices($after: String) {
  projects(first: 100, after: $after) { nodes { slug title } pageInfo { hasNextPage endCursor } }
}
"""

CREATE_PROJECT = """
mutation WebCreateProject($input: CreateProjectInput!) {
  createProject(input: $input) {
    __typename
    ... on ProjectPayload { project { slug title state } }
    ... on UserErrors { errors { code field message } }
  }
}
"""

ADD_LESSON = """
mutation WebAddLesson($input: AddLessonInput!) {
  addLesson(input: $input) {
    __typename
    ... on LessonPayload { lesson { slug title state } }
    ... on UserErrors { errors { code field message } }
  }
}
"""

# -- moderation and members' own submissions ---------------------------------------------------

REVIEW_COUNT = """
query WebReviewCount { reviewQueueCount }
"""

# A published entry in the queue waits with a member's revision: the page shows its diff. The
# submitter of a new entry is the author of its first version; duplicate candidates of a new entry
# are the published entries most like it (`similar`).
_PENDING_REVISION = "pendingRevision { createdAt authorName authorCommune { name } changes { field old new } }"
_REVIEW_COMMON = f"updatedAt history {{ action at authorName }} {_PENDING_REVISION}"
_CANDIDATES = "similar(first: $candidates) { id title }"

REVIEW_QUEUE = f"""
query WebReviewQueue($first: Int!, $candidates: Int!) {{
  reviewQueue(first: $first) {{
    totalCount
    nodes {{
      __typename
      ... on Project {{ slug title summary description {_REVIEW_COMMON} {_CANDIDATES}
                       communes {{ slug name }} handlungsfelder {{ slug name }} }}
      ... on Lesson {{ slug title text {_REVIEW_COMMON} {_CANDIDATES}
                      project {{ slug title communes {{ slug name }} }} }}
      ... on Adaptation {{ slug status outcome started {_REVIEW_COMMON}
                          source {{ slug title }} commune {{ slug name }} }}
    }}
  }}
}}
"""

# The member's own latest revision of an entry (published entries they proposed a change to).
_OWN_REVISION = "ownRevision { state note }"

MY_SUBMISSIONS = f"""
query WebMySubmissions {{
  mySubmissions(first: 100) {{
    __typename
    ... on Project {{ slug title state reviewNote updatedAt {_OWN_REVISION} mergedInto {{ slug title }} }}
    ... on Lesson {{ slug title state reviewNote updatedAt {_OWN_REVISION} mergedInto {{ slug title }} }}
    ... on Adaptation {{ slug state reviewNote updatedAt {_OWN_REVISION} source {{ title }} commune {{ name }} }}
  }}
}}
"""

_STEP_RESULT = """
    __typename
    ... on ModerationPayload { state }
    ... on UserErrors { errors { code field message } }
"""
# approve, reject, send back: of a member's revision when the entry has one (then `revision` is set)
_DECISION_RESULT = """
    __typename
    ... on ModerationPayload { state revision { state } }
    ... on UserErrors { errors { code field message } }
"""

SUBMIT_ENTRY = f"""
mutation WebSubmitEntry($id: String!) {{ submitEntry(id: $id) {{ {_STEP_RESULT} }} }}
"""

APPROVE_ENTRY = f"""
mutation WebApproveEntry($id: String!) {{ approveEntry(id: $id) {{ {_DECISION_RESULT} }} }}
"""

REJECT_ENTRY = f"""
mutation WebRejectEntry($id: String!, $reason: String!) {{
  rejectEntry(id: $id, reason: $reason) {{ {_DECISION_RESULT} }}
}}
"""

REQUEST_CHANGES = f"""
mutation WebRequestChanges($id: String!, $reason: String!) {{
  requestChanges(id: $id, reason: $reason) {{ {_DECISION_RESULT} }}
}}
"""

MERGE_ENTRIES = f"""
mutation WebMergeEntries($duplicate: String!, $survivor: String!, $reason: String) {{
  mergeEntries(duplicate: $duplicate, survivor: $survivor, reason: $reason) {{ {_STEP_RESULT} }}
}}
"""

# Freshness (schule/web/freshness_pages.py): what the member's commune (or, for the moderation, the
# network) has not confirmed for a while, and confirming it.
STALE_ENTRIES = """
query WebStaleEntries {
  staleEntries(first: 50) {
    totalCount
    nodes { __typename ... on Project { slug title lastConfirmedAt } ... on Lesson { slug title lastConfirmedAt } }
  }
}
"""

CONFIRM_ENTRY = """
mutation WebConfirmEntry($id: String!) {
  confirmEntry(id: $id) {
    __typename
    ... on UserErrors { errors { code field message } }
  }
}
"""

# -- editing members' own entries (schule/web/edit_pages.py) --------------------------------------

_OWN_REVISION_CHANGES = "ownRevision { state note changes { field new } }"

EDIT_PROJECT = f"""
query WebEditProject($id: String!) {{
  project(id: $id) {{
    slug title summary description status tags links started ended source state reviewNote
    communes {{ slug name }} handlungsfelder {{ slug }} contacts {{ slug name }} adaptedFrom {{ slug title }}
    transfer {{
      prerequisites {{ type text }} effortDays {{ min max }} costsOnce {{ min max }} costsYearly {{ min max }}
      funding {{ programme share }} repository publiccode standards
      partners {{ role organisation {{ slug }} }} documents {{ title url }}
    }}
    {_OWN_REVISION_CHANGES}
  }}
}}
"""

EDIT_LESSON = f"""
query WebEditLesson($id: String!) {{
  lesson(id: $id) {{
    slug title text type source state reviewNote
    project {{ slug title communes {{ slug }} }}
    author {{ slug name }}
    handlungsfelder {{ slug }}
    {_OWN_REVISION_CHANGES}
  }}
}}
"""

UPDATE_PROJECT = """
mutation WebUpdateProject($input: UpdateProjectInput!) {
  updateProject(input: $input) {
    __typename
    ... on ProjectPayload { project { slug title state ownRevision { state } } }
    ... on UserErrors { errors { code field message } }
  }
}
"""

UPDATE_LESSON = """
mutation WebUpdateLesson($input: UpdateLessonInput!) {
  updateLesson(input: $input) {
    __typename
    ... on LessonPayload { lesson { slug title state ownRevision { state } } }
    ... on UserErrors { errors { code field message } }
  }
}
"""

WITHDRAW_ENTRY = """
mutation WebWithdrawEntry($id: String!) {
  withdrawEntry(id: $id) {
    __typename
    ... on ModerationPayload { state revision { state } }
    ... on UserErrors { errors { code field message } }
  }
}
"""

# A member writes lessons for projects of their own commune: the lesson form offers those.
PROJECT_CHOICES_IN = """
query WebProjectChoicesIn($after: String, $communes: [String!]) {
  projects(first: 100, after: $after, filter: {communes: $communes}) {
    nodes { slug title } pageInfo { hasNextPage endCursor }
  }
}
"""

PEOPLE_CHOICES = """
query WebPeopleChoices($after: String) {
  people(first: 100, after: $after) { nodes { slug name } pageInfo { hasNextPage endCursor } }
}
"""

ORGANISATION_CHOICES = """
query WebOrganisationChoices($after: String) {
  organisations(first: 100, after: $after) { nodes { slug name } pageInfo { hasNextPage endCursor } }
}
"""

# -- project actions: "Wir übernehmen das" (schule/web/action_pages.py) --------------------------

ADOPT_FORM = """
query WebAdoptForm($id: String!, $commune: String!, $hasCommune: Boolean!) {
  project(id: $id) { slug title state communes { slug name } }
  commune(id: $commune) @include(if: $hasCommune) { slug name people { slug name role } }
}
"""

RECORD_ADOPTION = """
mutation WebRecordAdoption($input: RecordAdoptionInput!) {
  recordAdoption(input: $input) {
    __typename
    ... on AdaptationPayload { adaptation { slug state } }
    ... on UserErrors { errors { code field message } }
  }
}
"""

# -- browsing: /projekte, /erkenntnisse, their Atom feeds, search cards (schule/web/list_pages.py, feeds.py) --
# What a card shows; communes, Handlungsfelder and adoption counts come through the request's DataLoaders,
# so a page of 20 cards costs a few batched store reads, not 20 × 4.
PROJECT_CARD = """
fragment ProjectCard on Project {
  slug title summary status started ended updatedAt createdAt tags
  communes { slug name }
  handlungsfelder { slug name }
  adoptionSummary { communes }
}
"""

LESSON_CARD = """
fragment LessonCard on Lesson {
  slug title text type updatedAt createdAt
  project { slug title communes { slug name } }
  handlungsfelder { slug name }
}
"""

PROJECT_LIST = PROJECT_CARD + """
query WebProjectList($filter: ProjectFilter, $sort: ProjectSort!, $first: Int!, $after: String) {
  projects(filter: $filter, sort: $sort, first: $first, after: $after) { totalCount nodes { ...ProjectCard } }
  networks(first: 100) { nodes { slug name } }
}
"""

LESSON_LIST = LESSON_CARD + """
query WebLessonList($filter: LessonFilter, $sort: LessonSort!, $first: Int!, $after: String) {
  lessons(filter: $filter, sort: $sort, first: $first, after: $after) { totalCount nodes { ...LessonCard } }
  handlungsfelder(first: 100) { nodes { slug name } }
}
"""

# The lists' facet counts come from the search (an empty query with the list's filter): one bitmap
# AND per value, where the store would need a count query per value (list_pages.py caches them briefly).
LIST_FACETS = """
query WebListFacets($facets: SearchFilter!) {
  search(query: "", filter: $facets, first: 1) { facets { name values { value label count } } }
}
"""

PROJECT_FEED = PROJECT_CARD + """
query WebProjectFeed($filter: ProjectFilter, $first: Int!) {
  projects(filter: $filter, sort: UPDATED_DESC, first: $first) { nodes { ...ProjectCard } }
}
"""

LESSON_FEED = LESSON_CARD + """
query WebLessonFeed($filter: LessonFilter, $first: Int!) {
  lessons(filter: $filter, sort: UPDATED_DESC, first: $first) { nodes { ...LessonCard } }
}
"""

# The search feed takes the best matches and orders them newest first (a search has no date order).
SEARCH_FEED = PROJECT_CARD + LESSON_CARD + """
query WebSearchFeed($query: String!, $filter: SearchFilter, $first: Int!) {
  search(query: $query, filter: $filter, first: $first) {
    hits {
      kind id title highlights
      node {
        __typename
        ... on Project { ...ProjectCard }
        ... on Lesson { ...LessonCard }
      }
    }
  }
}
"""

SEARCH = PROJECT_CARD + LESSON_CARD + SEARCH  # the search page shows the same cards as the lists
