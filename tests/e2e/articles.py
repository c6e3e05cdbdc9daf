"""Two invented news stories about one invented tunnel, written for these tests (no real outlet's text).

The first carries page furniture (a donation appeal and a "Read more" list) that must not become claims;
the second, from another outlet, reports the first story's cost claim in other words.
"""

HARBOUR_TUNNEL = """Harbour tunnel bill tops £412 million as council defends costs

By Priya Ramanathan, Local Democracy Reporter

The cost of the Eastmere harbour tunnel has risen to £412 million, almost double the figure promised when the project was approved in 2019, according to council papers published on Tuesday.

Council leader Martin Okafor said the tunnel had cut average rush-hour journey times across the city centre by 18 minutes. "People forget how bad the traffic on Quay Street used to be," he told a meeting of the transport committee.

Opposition councillor Helen Marsh said the council had spent more on consultants for the tunnel than on repairing potholes across the whole city over the past five years. She called for an independent audit of the contract.

Figures from the Department for Transport show that 41,000 vehicles used the tunnel each weekday in March, up from 33,500 a year earlier.

A council spokesperson said the original budget had not included the cost of relocating a Victorian sewer discovered during excavation.

Support independent local journalism. Donate today and help us keep reporting on the decisions that shape your city. Become a supporter from just £3 a month.

Read more
Bus fares in Eastmere to rise by 10p from April
Residents oppose plans for a new retail park on the ring road
Harbour festival returns this summer with a bigger programme
"""

# The cost sentence is reworded (price/climbed/twice/scheme) but keeps the figures, so the engine
# suggests a link. A freer rewording ("Council documents released this week show that the tunnel now
# costs £412 million, nearly twice the budget agreed...") scored below the 70-point suggestion threshold.
TUNNEL_FOLLOW_UP = """Eastmere tunnel price climbs again

The price of the Eastmere harbour tunnel has climbed to £412 million, almost twice the figure promised when the scheme was approved in 2019.

Local businesses on Quay Street said trade had picked up since the tunnel opened, although several shopkeepers complained about the months of roadworks.

Sign up to our morning newsletter for the day's top stories, delivered to your inbox.
"""

FURNITURE = ("Donate today", "Become a supporter", "Read more", "Bus fares in Eastmere",
             "retail park", "Harbour festival", "Sign up to our morning newsletter")
COST_CLAIM = "The cost of the Eastmere harbour tunnel has risen to £412 million"
COST_CLAIM_REWORDED = "The price of the Eastmere harbour tunnel has climbed to £412 million"
