"""English stop words left out of theme labels: function words, pronouns, auxiliaries and their
contractions, and fillers that carry no topic ("really", "just", "thing"). Negations ("not",
"never", "no") are stop words here too: they matter for sentiment, not for what a comment is
about."""

from __future__ import annotations

_WORDS = """
a about above after again against all almost also although always am among an and another any
anybody anyone anything anyway anywhere are aren't around as at away back be became because been
before being below between both but by can can't cannot could couldn't did didn't do does doesn't
doing don't done down during each either else enough etc even ever every everybody everyone
everything few for from further get gets getting go goes going gone got had hadn't has hasn't
have haven't having he he'd he'll he's her here here's hers herself him himself his how how's
however i i'd i'll i'm i've if in instead into is isn't it it's its itself just let let's like
made make makes many may maybe me might mine more most much must mustn't my myself neither never
no nobody none nor not nothing now of off often oh on once one only onto or other others
otherwise ought our ours ourselves out over own per please quite rather re really same say says
see seem seems several shall shan't she she'd she'll she's should shouldn't since so some
somebody someone something sometimes still such than that that's the their theirs them
themselves then there there's these they they'd they'll they're they've thing things this those
though through thus to too toward towards under until up upon us very via was wasn't way we we'd
we'll we're we've well were weren't what what's whatever when when's where where's whether which
while who who's whom whose why why's will with within without won't would wouldn't yes yet you
you'd you'll you're you've your yours yourself yourselves
"""
STOP_WORDS = frozenset(_WORDS.split())
