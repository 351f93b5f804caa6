"""Knowledge transfer, the read side: communes like mine (peers), recommendations, experts from
evidence, coverage of Handlungsfelder (gap analysis) and network statistics.

Each ranking is a pure function in its own module (``peers``, ``recommendations``, ``experts``) whose
docstring states its formula; ``facts`` holds the few published facts they read, kept in memory per
store and brought up to date from the graph's change log.
"""
