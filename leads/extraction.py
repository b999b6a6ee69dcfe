"""Rule-based meaning of an inbound SMS, given the bot's preceding question. One extractor, two uses.

1. The offline fallback of the bots (Claude unavailable): an intent label and the qualification facts the
   text states (validated by ``leads.facts.QualificationFacts``).
2. The guard of the semantic cache tier (L3): a canonical *fingerprint* of the message's meaning. A cached
   result is served for another message only when the fingerprints are equal, because embeddings rate
   near-misses (negation, a changed number, buy vs sell, another place) as more similar than paraphrases.

The fingerprint is built from *terms*: concepts from a lexicon (synonyms and SMS spellings of one idea map to
one upper-case name), slots (amounts, counts, durations, clock times, days, places with numbers), and every
content word the lexicon does not know, kept verbatim (lower case, lightly stemmed, adjacent unknown words
joined: "round rock", "oak hill drive"). So an unknown word must match exactly: a gap in the lexicon costs a
cache miss, never a wrong hit. Precision comes first.

Pipeline: characters -> spelling and abbreviations -> number words -> idioms -> tokens -> phrase lexicon ->
numbers, units and times to slots -> property noun phrases -> negation scope -> terms -> resolution against
the bot's question (short replies, "the first one", "yes") -> canonical rules -> intent, facts, fingerprint.

Fingerprint: "v1|context=...|polarity=...|roles=...|slots=...|concepts=...|words=...|order=...", each part a
sorted, comma-separated list of terms (``signals`` holds the same lists). Terms look like
    concepts  PREAPPROVED, CONDO, HOME_VALUE, !SELL (negated), MY_HOME, THE_HOME, ASK (an information question)
    slots     $<=500000, $=400000-500000, $/mo=1800, bed>=3, bath=2, dur=60d, time>17:00, day=tue, month=jun,
              season=next_summer, rel=next_year, zip=78704, addr=412 elm street, n=2:car, pick=day=tue&time=16:00
    words     hyde park, oak hill drive, from dallas (unknown words, verbatim)
    order     SELL<BUY ("sell before we buy")
and "context" holds the terms of the bot's question, since a short reply means something only with it.
Bump FINGERPRINT_VERSION when the rules change: older cache entries then simply stop matching.

Pure Python (``re`` and the standard library), no Django, no I/O; the results depend only on the two strings.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache

__all__ = ["INTENTS", "Extraction", "extract", "fingerprint"]

INTENTS = ("buyer", "seller", "renter", "question", "provide_info", "appointment", "wants_human",
           "not_interested", "opt_out", "greeting", "other")

FINGERPRINT_VERSION = "v1"
MAX_INPUT_CHARS = 2000  # SMS bodies are at most 1,600 characters; longer input is cut, never an error


@dataclass(frozen=True)
class Extraction:
    intent: str      # one of INTENTS
    facts: dict      # keys and values valid for leads.facts.QualificationFacts; only what the text states
    signals: dict    # everything the fingerprint is built from, JSON-serialisable
    fingerprint: str  # canonical, deterministic string built from `signals`


def extract(text: str, context: str = "") -> Extraction:
    text = text if isinstance(text, str) else ""
    context = context if isinstance(context, str) else ""
    ctx = _question(context)
    analysis = _analyse(text, ctx)
    terms = _resolve(analysis, ctx)
    signals = _signals(terms, ctx)
    facts = _facts(terms, ctx, analysis)
    return Extraction(intent=_intent(terms, ctx, facts), facts=facts, signals=signals,
                      fingerprint=_fingerprint(signals))


def fingerprint(text: str, context: str = "") -> str:
    return extract(text, context).fingerprint


# --------------------------------------------------------------------------------------------------------
# Lexicon. Each entry maps phrases (space-separated words, alternatives separated by "|") to one meaning.
# Phrases are matched longest first on the normalised words, so "first time buyer" wins over "buyer" and
# "no more than" over "no".
# --------------------------------------------------------------------------------------------------------

CONCEPTS = {
    # roles and polarity of the lead
    "BUY": "buy|buying|buys|buyer|buyers|homebuyer|homebuyers|home buyer|home buyers|purchase|purchasing|"
           "purchaser|in the market for|to by",
    "BOUGHT": "bought|purchased",
    "SELL": "sell|selling|sells|seller|sellers|list it|sell it|list our|list my|list with you",
    "SOLD": "sold",
    "LISTED": "listed",
    "RENT": "rent|renting|rents|rental|rentals|renter|renters|tenant|tenants",
    "RENT_OUT": "rent out|renting out|rent it out|lease out|landlord|landlords",
    "OWN": "own|owns|owner|owners|homeowner|homeowners|home owner|home owners",
    "PARTY_SELLER": "the seller|the sellers|their seller",
    "PARTY_BUYER": "the buyer|the buyers|their buyer",
    "BOTH": "both|both of them",
    "FIRST_TIME_BUYER": "first time buyer|first time buyers|first time home buyer|first time home buyers|"
                        "first time homebuyer|first time homebuyers|never bought a home|never bought a house|"
                        "never owned a home|never owned a house|never bought a home before|"
                        "never bought a house before",
    "WANT": "looking for|searching for|shopping for|hunting for|in search of|on the hunt for|look for|"
            "in need of",
    "INVESTMENT": "investment|investment property|investor|investors|rental income",
    "PRIMARY": "primary residence|primary home|to live in|owner occupied",
    "VACATION": "vacation home|second home|vacation property|beach house",
    # property types
    "CONDO": "condo|condos|condominium|condominiums",
    "TOWNHOUSE": "townhouse|townhouses|townhome|townhomes|town house|town houses|town home|town homes|"
                 "row house|rowhouse",
    "SINGLE_FAMILY": "single family|single family home|single family house|single family homes|sfh|detached|"
                     "detached home|detached house|stand alone house",
    "DUPLEX": "duplex|duplexes",
    "TRIPLEX": "triplex|triplexes",
    "FOURPLEX": "fourplex|quadplex|four plex|4plex",
    "MULTI_FAMILY": "multi family|multifamily|multi unit|apartment building",
    "LAND": "land|lot|lots|acreage|vacant land|empty lot|raw land",
    "MOBILE_HOME": "mobile home|mobile homes|manufactured home|manufactured homes|trailer|double wide|single wide",
    "APARTMENT": "apartment|apartments|apartment unit",
    "NEW_CONSTRUCTION": "new construction|new build|new builds|brand new build",
    # financing
    "PREAPPROVED": "pre approved|preapproved|pre approval|preapproval|pre approval letter|preapproval letter|"
                   "approval letter|approved for a mortgage|approved for a loan|pre approved for a mortgage",
    "PREQUAL": "pre qualified|prequalified|pre qual|prequal|pre qualification|prequalification|pre qualify|prequalify",
    "CASH": "cash|all cash|cash offer|pay cash|paying cash|in cash",
    "CASH BUY": "cash buyer|cash buyers",
    "MORTGAGE": "mortgage|mortgages|loan|loans|home loan|financing|finance|financed|bank loan",
    "OWNER_FINANCING": "owner financing|seller financing|owner finance|owner carry|owner financed",
    "FHA": "fha|fha loan|fha loans",
    "VA": "va|va loan|va loans|v a loan",
    "USDA": "usda|usda loan|usda loans",
    "JUMBO": "jumbo|jumbo loan|jumbo loans",
    "CONVENTIONAL": "conventional|conventional loan|conventional loans",
    "LENDER": "lender|lenders|bank|banks|loan officer|mortgage broker|credit union",
    "DOWN_PAYMENT": "down payment|downpayment|down payments",
    "CREDIT": "credit|credit score|fico|fico score",
    "EARNEST_MONEY": "earnest money|earnest",
    "CLOSING": "close|closing|close on",
    "CLOSED": "closed",
    "CLOSING_COSTS": "closing costs|closing cost",
    "NOT_STARTED": "not started|not begun|not even started|not started yet",
    "AFFORD": "afford|affordable",
    "ASKING": "asking price|list price|listing price",
    "PAID_OFF": "paid off|paid for|paid in full|no mortgage left",
    # motivation
    "JOB": "job|jobs|new job|career|employer|office|offices|for work|a new job",
    "RELOCATE": "relocate|relocating|relocation|relocated|transfer|transferred|transferring|getting transferred|"
                "being transferred|job transfer",
    "DIVORCE": "divorce|divorcing|divorced|splitting up|split up|separating|separated|separation|getting divorced",
    "DOWNSIZE": "downsize|downsizing|downsized|smaller|too big|too large|too much house|less space|scale down|"
                "scaling down",
    "UPSIZE": "upsize|upsizing|bigger|larger|more space|more room|outgrew|outgrown|outgrowing|growing family|"
              "family is growing|family growing",
    "EMPTY_NEST": "empty nest|empty nester|empty nesters|kids moved out|kids are gone|kids left|kids have moved out|"
                  "kids grew up|kids are grown|kids are out of the house",
    "BABY": "baby|babies|baby on the way|expecting a baby|expecting|pregnant|new baby",
    "RETIRE": "retire|retiring|retired|retirement",
    "HEALTH": "health|medical|illness|sick|disability",
    "INHERIT": "inherit|inherited|inheriting|inheritance|probate|estate sale",
    "DECEASED": "passed away|died|death",
    "OUT_OF_STATE": "out of state|leaving the state|leave the state|moving out of state|move out of state|"
                    "another state|different state|relocating out of state",
    "MOTHER": "mom|mother|mum|mama|moms",
    "FATHER": "dad|father",
    "PARENTS": "parents",
    "GRANDKIDS": "grandkids|grandkid|grandchildren|grandchild|grandbabies|grandbaby|grand kids",
    "KIDS": "kids|kid|children|child",
    # timeline
    "ASAP": "asap|as soon as possible|as soon as we can|as soon as i can|right away|immediately|urgently|quickly|"
            "fast|quick sale",
    "HURRY": "hurry|rush|rushed|urgent|hurried|time sensitive",
    "SOON": "soon|shortly|soonish",
    "BROWSING": "just browsing|just looking|browsing|window shopping|looking around",
    "READY": "ready",
    "FLEXIBLE": "flexible|whenever|no timeline|no set timeline",
    "MORNING": "morning|mornings|in the morning",
    "AFTERNOON": "afternoon|afternoons|in the afternoon",
    "EVENING": "evening|evenings|in the evening",
    "TONIGHT": "tonight",
    "NIGHT": "night|nights",
    "WEEKEND": "weekend|weekends",
    "WEEKDAY": "weekday|weekdays",
    "LATER": "later|another time|some other time",
    "BEFORE": "before|prior to|ahead of",
    "AFTER": "after",
    "UNTIL": "until|till|til|up until",
    "LATE": "end of|the end of|late|end of the",
    "EARLY": "early|beginning of|the beginning of|start of|the start of",
    "MID": "mid|middle of|the middle of",
    "AGO": "ago",
    # communication
    "CALL": "call|calls|calling|phone|phone call|ring me|give me a call|give me a ring|give us a call|"
            "give us a ring|give me a buzz|hop on a call|callback|call back|call me back|give a call|"
            "give me a quick call",
    "TEXT": "text|texts|texting|sms|message|messages|messaging|text message|text messages",
    "EMAIL": "email|emails|emailing|e mail",
    "SEND": "send|sending|send over|shoot me|forward",
    "TALK": "talk|talking|speak|speaking|chat|connect me with|connect me to|connect us with|put me in touch with|"
            "get in touch with|get me in touch with",
    "CONTACT": "contact|contacting|reach out|reach me|hear from|get back to me|get back to us",
    "HUMAN": "human|a human|real person|actual person|live person|real human|actual human|a person|"
             "a real person|someone real|person",
    "IN_PERSON": "in person",
    "BOT": "bot|robot|computer|automated|ai|machine|chatbot|auto reply|autoreply",
    "AGENT": "agent|agents|realtor|realtors|broker|brokers|real estate agent|listing agent|buyers agent|"
             "someone|somebody|anyone|anybody|one of your agents|one of the agents",
    "OPT_OUT": "unsubscribe|opt out|optout|remove me|remove us|remove my number|take me off|leave me alone|"
               "lose my number|delete my number|stop|stop it|stop all|stop please|stopall|cancel texts",
    "START": "start|unstop|subscribe|opt in|resubscribe",
    "WRONG_NUMBER": "wrong number|wrong person|meant to text|not meant for you|wrong phone",
    # appointments
    "SHOWING": "showing|showings|tour|tours|touring|walk through|walkthrough|walk thru|open house|viewing|"
               "show me|show us|private showing|see it|see them",
    "APPOINTMENT": "appointment|appointments|appt|meeting|meetings|consultation|consult|meet|meet up",
    "SCHEDULE": "schedule|scheduling|book|booking|set up|setup",
    "RESCHEDULE": "reschedule|rescheduling|postpone|push back|push it back|different time|another day",
    "CANCEL": "cancel|cancelling|canceling|cancelled|canceled|cancellation|call off|can not make it|"
              "will not make it|not going to make it|unable to make it|can not come|will not be able to make it|"
              "not be able to make it|can not do it anymore",
    "INSTEAD": "instead",
    "VISIT": "stop by|come by|drop by|swing by",
    # answers
    "YES": "yes|yeah|yea|yah|yep|yup|ye|sure|sure thing|of course|ok|okay|k|kk|okey|alright|all right|sounds good|"
           "sounds great|sounds perfect|that works|works|works for me|work for me|works for us|work for us|"
           "good|great|perfect|fine|cool|correct|absolutely|definitely|confirmed|confirm|will be there|be there|"
           "see you then|see you there|see you soon|go ahead|that would be great|would be great|"
           "would love that|would love to|sign me up|let us do it|let do it|affirmative|i am in|count me in|"
           "sounds like a plan|send it|send it over|send them|send them over|that would be awesome|awesome|"
           "yes please|good for me|good for us|is good",
    "NO": "nope|nah|naw|no thanks|no thank you|no thank u|not interested|not really|i will pass|we will pass|"
          "pass on it|pass on that|no way|"
          "not now|not at this time|all set|we are all set|i am all set",
    "ACCEPTABLE": "could work|would work|can work|might work|could do|would do|settle for|would settle for|"
                  "can live with|could live with|would be ok|would be fine|could be ok|would be okay",
    "IDEAL": "ideal|ideally|would be ideal|preferably|prefer|preferred|would prefer|dream",
    # questions and topics
    "HOME_VALUE": "worth|value|valuation|valuations|appraise|appraisal|appraised|estimate|estimates|cma|"
                  "comps|market analysis|what it is worth|market value",
    "PRICES": "price|prices|pricing|priced",
    "MARKET": "market|housing market|real estate market",
    "FEE": "fee|fees|commission|commissions|charge|charges",
    "INTEREST_RATE": "interest rate|interest rates|rates|rate",
    "HOA": "hoa|hoa fee|hoa fees|hoa dues|association fee|association fees|homeowners association",
    "TAX": "tax|taxes|property tax|property taxes",
    "AVAILABLE": "available|on the market|for sale|availability",
    "UNAVAILABLE": "off the market|under contract|pending",
    "PROCESS": "the process|process|first steps|first step|next steps|next step|where to start|how does it work|"
               "how it works|the steps",
    "HELP": "help|helping|assist|assistance",
    "SCHOOL": "school|schools|school district|school districts|school zone|isd",
    "SCHOOL_YEAR": "school year",
    "POOL": "pool|pools|swimming pool",
    "GARAGE": "garage|garages",
    "BASEMENT": "basement|basements",
    "YARD": "yard|yards|backyard|back yard|backyards",
    "YARD_WORK": "yard work|yardwork|mowing|mow|lawn care",
    "LOW_MAINTENANCE": "low maintenance|maintenance free",
    "KITCHEN": "kitchen|kitchens",
    "ROOF": "roof|roofs|roofing",
    "FOUNDATION": "foundation|foundations|slab",
    "HVAC": "hvac|ac|a c|air conditioning|furnace|heating",
    "PLUMBING": "plumbing|pipes",
    "FLOORS": "floor|floors|flooring",
    "REPAIR": "repair|repairs|fix|fixes|fixing|fix up|fixing up",
    "NEEDS_WORK": "needs work|need work|needs a lot of work|needs some work|lot of work|a lot of work|fixer|"
                  "fixer upper|handyman special|tlc|needs tlc|project house",
    "COND_EXCELLENT": "move in ready|movein ready|turnkey|turn key|great shape|great condition|excellent shape|"
                      "excellent condition|perfect condition|perfect shape|like new|mint condition|pristine",
    "COND_GOOD": "good shape|good condition",
    "COND_FAIR": "decent shape|decent condition|fair condition|fair shape|ok shape|okay shape|ok condition|"
                 "okay condition|average condition|average shape",
    "COND_POOR": "bad shape|bad condition|poor condition|poor shape|rough shape|rough condition|needs everything",
    "COSMETIC": "cosmetic|cosmetics|cosmetic stuff|cosmetic updates|cosmetic update|cosmetic work|cosmetic fixes|"
                "cosmetic things|cosmetically|cosmetic changes",
    "RENOVATED": "renovated|remodeled|remodelled|renovation|renovations|remodel|updated|fully renovated|"
                 "fully remodeled|fully updated",
    "UPDATE": "update|updates|updating|upgrade|upgrades|upgrading",
    "LEAK": "leak|leaks|leaky|leaking|leaked",
    "OUTDATED": "old|outdated|dated|older",
    "DAMAGE": "damage|damaged",
    "ISSUE": "issue|issues|problem|problems",
    "NEW": "new|brand new",
    "NEAR": "near|nearby|close to|closer to|close by|near by|next to|walking distance|closer|near to",
    "FAR": "far|farther|further|far from|farther from|away from|further from|farther away",
    "MOVE": "move|moving|moves",
    "MOVED": "moved",
    "PAST": "had|did|used to|was",
    "WHEN": "when|what time|what day",
    "WHERE": "where",
    "WHO": "who|whom|who is this",
    "WHY": "why|how come",
    "HOW": "how",
    "UNSURE": "not sure|unsure|do not know|dunno|no idea|not certain|undecided|not sure yet|who knows",
    "THIRD_PARTY": "he|she|they|him",
    "THEN": "then|and then|after that|afterwards",
    "GREETING": "hi|hello|hey|hiya|howdy|good morning|good afternoon|good evening|yo|hey there|hi there",
}

# Words that carry no fact on their own (pronouns, auxiliaries, hedges, politeness, intent verbs). Dropped.
FILLER = (
    "i|me|we|us|you|ya|his|hers|their|theirs|myself|ourselves|yourself|your|yours|"
    "am|is|are|were|be|been|being|do|does|have|has|having|can|could|would|should|will|shall|might|must|"
    "got|get|getting|gets|go|going|wanted|needed|looking|look|hoping|hope|planning|plan|"
    "plans|thinking|think|thinking about|considering|wondering|wonder|trying|try|like|interested|"
    "interested in|curious|curious about|know|want to know|let|let me|let me know|tell me|to|for|of|in|on|at|"
    "with|from|into|about|within|through|via|up|just|only|really|very|also|even|actually|honestly|basically|"
    "pretty|quite|kinda|sorta|kind of|sort of|maybe|perhaps|probably|possibly|likely|sometime|sometimes|"
    "somewhere|anywhere|anytime|any time|eventually|mostly|mainly|primarily|especially|already|still|yet|now|"
    "currently|anymore|any more|again|ever|right now|at the moment|for now|so far|as of now|these days|nowadays|"
    "today market|in today market|at this point|at all|overall|either|all|any|some|something|anything|"
    "everything|thing|things|stuff|guys|you guys|folks|there|here|what|which|how much|how many|how about|"
    "how is|how are|how was|please|thanks|thank you|thank u|thx|ty|appreciate it|sorry|lol|haha|hahaha|lmao|"
    "omg|ugh|hmm|um|uh|oh|ah|well|btw|fyi|tbh|imo|wow|top choice|top choices|first choice|top pick|favorite|"
    "favorites|preference|area|areas|neighborhood|neighborhoods|neighbourhood|part of town|side of town|region|"
    "range|price range|budget|total|literally|totally|able|able to|come|one of|list of|lots of|a lot of|"
    "bunch of|option|options|choice|choices|rather|would rather|i would rather|by|by then|as|than|too|much|"
    "many|own|my own|our own|current|whole|entire|full|fully|recently|just now|exactly|"
    "specifically|definitely not|something came up|something has come up|came up|last time|anyway|anyways|"
    "soon as|hear back|this time|around|roughly|approximately|about|give|giving|gave|take|taking|"
    "make|making|put|putting|keep|keeping|find|finding|okay so|so yeah|yeah so|top|mind|between|live|living|"
    "lives|thanks a lot|thank you so much|pay|paying|pays"
)

NEGATORS_VP = ("not|never|without|neither|nor|none|no longer|no more|instead of|not any|nothing|nobody|rather than|"
               "except|other than|besides|but not")
NEGATORS_NP = "no"

# Qualifiers of amounts and counts; a qualifier not next to a number keeps its ordinary meaning.
QUALIFIERS = {
    "max": "under|below|less than|up to|upto|no more than|not more than|at most|max|maximum|tops|or less|"
           "or under|or below|not over|not above|can not go over|can not go above|can not spend more than|"
           "can not do more than|do not want to go over|do not want to spend more than|no higher than|"
           "not to exceed|capped at|top out at|topping out at|can not go higher than|no more then|max budget",
    "min": "over|above|more than|at least|min|minimum|or more|plus|or above|or over|at minimum|no less than|"
           "not less than|not under|starting at|atleast",
    "approx": "around|about|roughly|approximately|approx|somewhere near|somewhere around|near|close to|or so|ish|"
              "give or take|in the neighborhood of|ballpark|somewhere between|like|or so",
}
# Qualifiers that follow the number ("550k max", "3br minimum", "5 or more"); the others precede it.
POSTFIX_QUALIFIERS = frozenset(("max", "maximum", "tops", "min", "minimum", "plus", "or less", "or under", "or below",
                                "or more", "or above", "or over", "at minimum", "at most", "or so", "ish",
                                "give or take"))

UNITS = {
    "k": "k|thousand|grand|thou",
    "m": "m|mil|million|mill|mm|millions",
    "pct": "percent|pct",
    "am": "am|a m",
    "pm": "pm|p m",
    "oclock": "oclock|o clock",
    "bed": "br|brs|bd|bds|bdr|bdrm|bdrms|bed|beds|bedroom|bedrooms|bedrm|bedrms|bdrooms|bedroom home|bedroom house",
    "bath": "ba|bas|bth|bths|bath|baths|bathroom|bathrooms|full bath|full baths",
    "day": "day|days",
    "week": "week|weeks|wk|wks",
    "month": "month|months|mo|mos|mth|mths|mnth|mnths",
    "year": "year|years|yr|yrs",
    "sqft": "sq ft|sqft|square feet|square foot|sq feet|sf|feet|ft",
    "acre": "acre|acres|ac",
}

DAYS = {
    "mon": "monday|mon|mondays", "tue": "tuesday|tue|tues|tuesdays", "wed": "wednesday|wed|weds|wednesdays",
    "thu": "thursday|thu|thur|thurs|thursdays", "fri": "friday|fri|fridays", "sat": "saturday|sat|saturdays",
    "sun": "sunday|sundays", "today": "today|tday", "tomorrow": "tomorrow", "yesterday": "yesterday",
}
MONTHS = {
    "jan": "january|jan", "feb": "february|feb", "mar": "march", "apr": "april|apr", "jun": "june|jun",
    "jul": "july|jul", "aug": "august|aug", "sep": "september|sept|sep", "oct": "october|oct",
    "nov": "november|nov", "dec": "december|dec",
}
SEASONS = {"spring": "spring|springtime", "summer": "summer|summertime", "fall": "fall|autumn",
           "winter": "winter|wintertime"}
ORDINALS = {1: "first|1st|former", 2: "second|2nd", 3: "third|3rd", 4: "fourth|4th", -1: "latter"}

GENERIC_PROPERTY = "house|houses|home|homes|place|places|property|properties|residence|listings|unit|units"
POSSESSIVE = "my|our"
DEFINITE = "the|this|that|these|those"
INDEFINITE = "a|an"
REFERENCES = "one|it|them"
BOUNDARY_WORDS = "and|or|but|so|because|though|although|however|while|if|otherwise|plus|also"

# Single words that need a look at their neighbours (resolved in _disambiguate).
SPECIAL = {"listing": "LISTING", "list": "LIST", "work": "WORK", "working": "WORKING", "may": "MAY", "next": "NEXT",
           "last": "LAST", "her": "HER", "want": "DESIRE", "wants": "DESIRE", "need": "DESIRE", "needs": "DESIRE",
           "would like": "DESIRE", "require": "DESIRE", "requires": "DESIRE"}

STREET_SUFFIXES = frozenset("street drive court road avenue lane boulevard parkway circle trail cove terrace "
                            "way loop highway place".split())

# SMS spellings and abbreviations, word by word (after apostrophes are resolved).
ABBREVIATIONS = {
    "u": "you", "ur": "your", "r": "are", "im": "i am", "ive": "i have", "id": "i would", "youre": "you are",
    "theyre": "they are", "thats": "that is", "whats": "what is", "hows": "how is", "wheres": "where is",
    "whos": "who is", "its": "it is", "lets": "let us", "dont": "do not", "doesnt": "does not",
    "didnt": "did not", "isnt": "is not", "arent": "are not", "wasnt": "was not", "werent": "were not",
    "havent": "have not", "hasnt": "has not", "hadnt": "had not", "cant": "can not", "cannot": "can not",
    "wont": "will not", "wouldnt": "would not", "couldnt": "could not", "shouldnt": "should not",
    "aint": "is not", "gonna": "going to", "wanna": "want to", "gotta": "got to", "lemme": "let me",
    "idk": "i do not know", "lmk": "let me know", "pls": "please", "plz": "please", "plse": "please",
    "pleez": "please", "thnx": "thanks", "thanx": "thanks", "tmrw": "tomorrow", "tmr": "tomorrow",
    "tmrrw": "tomorrow", "tomoro": "tomorrow", "tom": "tomorrow", "prob": "probably", "prolly": "probably",
    "probs": "probably", "probly": "probably", "thru": "through", "bc": "because", "cuz": "because",
    "cus": "because", "coz": "because", "b4": "before", "rn": "right now", "apt": "apartment",
    "apts": "apartments", "ppl": "people", "txt": "text", "txts": "texts", "txting": "texting",
    "texing": "texting", "msg": "message", "msgs": "messages", "info": "information", "abt": "about",
    "bout": "about", "rly": "really", "wrk": "work", "prk": "park", "pk": "park", "st": "street",
    "dr": "drive", "ct": "court", "rd": "road", "ave": "avenue", "av": "avenue", "ln": "lane",
    "blvd": "boulevard", "pkwy": "parkway", "cir": "circle", "trl": "trail", "hwy": "highway", "cv": "cove",
    "mt": "mount", "hubby": "husband", "nvm": "never mind", "lookin": "looking", "tryin": "trying",
    "goin": "going", "somethin": "something", "nothin": "nothing", "w": "with", "yrs": "years", "yr": "year",
    "wks": "weeks", "wk": "week", "hr": "hour", "hrs": "hours", "appt": "appointment", "convo": "conversation",
    "asap": "asap", "agt": "agent", "realator": "realtor", "relator": "realtor", "morn": "morning",
    "thurs": "thurs", "tues": "tues", "yess": "yes", "yesss": "yes", "noo": "no", "nooo": "no",
    "okk": "ok", "okok": "ok", "kk": "ok", "ya": "yeah", "yh": "yeah", "ye": "yeah", "nt": "not",
}

# Typo-prone words that are not in the concept lexicon but should be corrected (fillers, mostly).
EXTRA_FUZZY_TARGETS = ("looking interested please thinking probably really because anymore something currently "
                       "already planning hoping wondering tomorrow relocating honestly appointment definitely "
                       "interested available possible")

NUMBER_WORDS = {
    "zero": 0, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8,
    "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14, "fifteen": 15,
    "sixteen": 16, "seventeen": 17, "eighteen": 18, "nineteen": 19, "twenty": 20, "thirty": 30, "forty": 40,
    "fourty": 40, "fifty": 50, "sixty": 60, "seventy": 70, "eighty": 80, "ninety": 90, "hundred": 100,
}

# --------------------------------------------------------------------------------------------------------
# Token kinds
# --------------------------------------------------------------------------------------------------------
C, W, F, N, B, Q, U, NUM, SYM, DAY, MON, SEA, ORD, DET, PROP, REF, S, SPC = (
    "C", "W", "F", "N", "B", "Q", "U", "NUM", "SYM", "DAY", "MON", "SEA", "ORD", "DET", "PROP", "REF", "S", "SPC")


class _Tok:
    __slots__ = ("kind", "value", "raw", "neg")

    def __init__(self, kind, value, raw="", neg=False):
        self.kind, self.value, self.raw, self.neg = kind, value, raw, neg

    def __repr__(self):  # debugging aid
        return f"{'!' if self.neg else ''}{self.kind}:{self.value}"


def _alternatives(spec: str) -> list[str]:
    return [p.strip() for p in spec.split("|") if p.strip()]


def _build_lexicon(qualifiers: bool = True) -> dict[tuple[str, ...], tuple]:
    lexicon: dict[tuple[str, ...], tuple] = {}

    def add(spec, meaning):
        for phrase in _alternatives(spec):
            lexicon.setdefault(tuple(phrase.split()), meaning)

    # Order matters only for identical phrases (first wins): specific meanings before filler.
    for unit, spec in UNITS.items():
        add(spec, (U, unit))
    for qual, spec in QUALIFIERS.items() if qualifiers else ():
        add(spec, (Q, qual))
    for name, spec in CONCEPTS.items():
        add(spec, (C, name))
    for value, spec in DAYS.items():
        add(spec, (DAY, value))
    for value, spec in MONTHS.items():
        add(spec, (MON, value))
    for value, spec in SEASONS.items():
        add(spec, (SEA, value))
    for value, spec in ORDINALS.items():
        add(spec, (ORD, value))
    for word, kind in SPECIAL.items():
        add(word, (SPC, kind))
    add(GENERIC_PROPERTY, (PROP, None))
    add(POSSESSIVE, (DET, "my"))
    add(DEFINITE, (DET, "the"))
    add(INDEFINITE, (DET, "a"))
    add(REFERENCES, (REF, None))
    add(NEGATORS_VP, (N, "vp"))
    add(NEGATORS_NP, (N, "np"))
    add(BOUNDARY_WORDS, (B, None))
    add(FILLER, (F, None))
    return lexicon


_LEXICON = _build_lexicon()
_FIRST_WORDS = {}
for _key in _LEXICON:
    _FIRST_WORDS.setdefault(_key[0], []).append(_key)
for _keys in _FIRST_WORDS.values():
    _keys.sort(key=len, reverse=True)

# The lexicon without the qualifier reading, for a qualifier no number claims ("close to downtown",
# "send it over", "max" as a name).
_PLAIN_LEXICON = _build_lexicon(qualifiers=False)
_PLAIN_FIRST_WORDS: dict[str, list] = {}
for _key in _PLAIN_LEXICON:
    _PLAIN_FIRST_WORDS.setdefault(_key[0], []).append(_key)
for _keys in _PLAIN_FIRST_WORDS.values():
    _keys.sort(key=len, reverse=True)


# --------------------------------------------------------------------------------------------------------
# Spelling: abbreviations, then a conservative typo correction against the lexicon's own words.
# --------------------------------------------------------------------------------------------------------

_VOCABULARY = frozenset(w for key in _LEXICON for w in key) | frozenset(ABBREVIATIONS) | frozenset(NUMBER_WORDS)
_FUZZY_TARGETS = frozenset(
    w for key, meaning in _LEXICON.items() if meaning[0] in (C, U, DAY, MON, SEA, PROP) for w in key if len(w) >= 4
) | frozenset(EXTRA_FUZZY_TARGETS.split())
_DELETES: dict[str, set[str]] = {}
for _target in _FUZZY_TARGETS:
    for _i in range(len(_target)):
        _DELETES.setdefault(_target[:_i] + _target[_i + 1:], set()).add(_target)


def _typo_candidates(word: str) -> set[str]:
    """Lexicon words that word could be a typo of: one letter left out ("hous", "tomorow"), two adjacent
    letters swapped ("tlak", "satruday"), or, for longer words, one letter wrong. An extra letter is not
    undone ("leander" must not become "lender"), and the first letter must be right ("north" is not "worth")."""
    found = set(_DELETES.get(word, ()))
    for i in range(len(word) - 1):
        swapped = word[:i] + word[i + 1] + word[i] + word[i + 2:]
        if swapped in _FUZZY_TARGETS:
            found.add(swapped)
    if len(word) >= 6:
        for i in range(1, len(word)):
            for target in _DELETES.get(word[:i] + word[i + 1:], ()):
                if len(target) == len(word) and sum(a != b for a, b in zip(target, word)) == 1:
                    found.add(target)
    return {t for t in found if t != word and t[0] == word[0]}


def _is_inflection_of_known(word: str) -> bool:
    for suffix in ("s", "es", "ed", "d", "ing", "ly", "er", "ers"):
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            stem = word[: -len(suffix)]
            if stem in _VOCABULARY or stem + "e" in _VOCABULARY:
                return True
    return False


def _known_plural(word: str) -> str | None:
    """A non-standard plural of a known word ("monthes") as its known plural ("months")."""
    if word.endswith("es") and word[:-2] + "s" in _VOCABULARY and word[:-2] in _VOCABULARY:
        return word[:-2] + "s"
    return None


@lru_cache(maxsize=8192)
def _correct_word(word: str) -> str:
    """An SMS abbreviation's expansion, a typo's correction, or the word itself.

    Only words the lexicon does not know are corrected, only to a lexicon word one edit away, and only when
    that correction is unambiguous. Short words (names like "mike") are left alone: four-letter words may only
    be a transposition or a missing letter, three-letter words are never guessed."""
    if word in ABBREVIATIONS:
        return ABBREVIATIONS[word]
    if word in _VOCABULARY or len(word) < 4 or not word.isalpha():
        return word
    if _known_plural(word):
        return _known_plural(word)
    if _is_inflection_of_known(word):
        return word
    candidates = _typo_candidates(word)
    if not candidates:
        return word
    meanings = {_LEXICON.get((c,), ("word", c)) for c in candidates}
    if len(meanings) == 1:
        return min(candidates)
    return word


# --------------------------------------------------------------------------------------------------------
# Text normalisation before tokens: characters, apostrophes, spelling, number words, idioms.
# --------------------------------------------------------------------------------------------------------

_EMOJI_YES = "👍👌✅🙌🤝👏💯"
_EMOJI_NO = "👎❌🚫🙅"
_QUOTES = str.maketrans({"’": "'", "‘": "'", "`": "'", "´": "'", "“": '"', "”": '"', "–": "-", "—": "-"})
_NOT_KEPT = re.compile(r"[^a-z0-9$%+/\-:?!.,;@#'&~\s]")
_APOSTROPHE_IS = re.compile(r"\b(it|that|what|there|here|who|how|where|when|he|she)'s\b")
_CONTRACTIONS = [
    (re.compile(r"\bcan't\b"), "can not"), (re.compile(r"\bwon't\b"), "will not"),
    (re.compile(r"\blet's\b"), "let us"), (re.compile(r"n't\b"), " not"), (re.compile(r"'re\b"), " are"),
    (re.compile(r"'m\b"), " am"), (re.compile(r"'ll\b"), " will"), (re.compile(r"'ve\b"), " have"),
    (re.compile(r"'d\b"), " would"), (re.compile(r"'s\b"), ""), (re.compile(r"'"), ""),
]
_WORD = re.compile(r"(?<![0-9a-z])[a-z][a-z0-9]*")
_NUMBER_WORD_RUN = re.compile(
    r"\b(?:" + "|".join(NUMBER_WORDS) + r")(?:[\s-]+(?:" + "|".join(NUMBER_WORDS) + r"))*\b")
_UNIT_AFTER_ONE = re.compile(
    r"\s*(?:br|bd|bed|beds|bedroom|bedrooms|bath|baths|bathroom|bathrooms|ba|day|days|week|weeks|month|months|"
    r"year|years|acre|acres|car|story|stories|hour|hours|person|people|kid|child|k\b|m\b|thousand|million|"
    r"hundred|or two|or 2|to two|to 2)")


def _number_run_to_digits(match: re.Match) -> str:
    words = match.group(0).replace("-", " ").split()
    if words == ["one"]:
        following = match.string[match.end():match.end() + 12]
        return "1" if _UNIT_AFTER_ONE.match(following) else "one"
    values = [NUMBER_WORDS[w] for w in words]
    if len(values) >= 2 and 100 not in values and values[0] < 20 and values[1] >= 20:
        # spoken prices and years: "three seventy five" = 375, "four fifty" = 450, "nineteen eighty five" = 1985
        return str(values[0] * 100 + sum(values[1:]))
    total = 0
    for value in values:
        total = max(total, 1) * 100 if value == 100 else total + value
    return str(total)


# Idioms with variable parts, rewritten to canonical words or to upper-case concept markers before the
# phrase lexicon runs. Each is a general way of saying one thing, not a particular sentence. The guard words
# skip a pattern cheaply when none of them occurs in the text.
_PROPERTY_OBJECT = r"(?:(?:my|our|the|this|his|her|their)\s+)?(?:house|home|place|property|condo|townhouse|townhome)"


def _idiom(guards: str | None, pattern: str, replacement: str) -> tuple:
    return (tuple(guards.split("|")) if guards else None, re.compile(pattern), replacement)


_IDIOMS = [
    _idiom(".", r"\b([ap])\.\s?m\.?", r"\1m"),
    _idiom("w/", r"\bw/o\b", "without "),
    _idiom("w/", r"\bw/", "with "),
    _idiom("please do", r"\bplease do\b(?! not)", " YES "),
    _idiom("-", r"\b(i|ih|us|hwy|sh|fm|rm)-(\d{1,4})\b", r"\1\2"),  # highways: "i-35"
    _idiom("st|nd|rd|th", r"\b(\d+)(?:st|nd|rd|th)\b", r" ORD_\1 "),
    _idiom("noon", r"\bnoon\b", "12 pm"),
    _idiom("midnight", r"\bmidnight\b", "12 am"),
    _idiom("2 ", r"\b2(?= (?:sell|buy|rent|move|talk|see|know|list|close|call|text|be|get|have|go|look|tour|meet)\b)",
           "to"),
    _idiom("4 sale", r"\b4 sale\b", "for sale"),
    _idiom("&|+", r"(?<=\s)[&+](?=\s)", " and "),
    _idiom("&", r"&", " and "),
    _idiom("half", r"\bhalf (?:a|an|of a) year\b", "6 months"),
    _idiom("half", r"\b(?:a|1|one) year and a half\b", "18 months"),
    _idiom("half", r"\bhalf (?:a|an|of a) month\b", "2 weeks"),
    _idiom("couple", r"\b(?:a )?couple(?: of)?(?= (?:days|weeks|months|years|hours)\b)", "2"),
    _idiom("dozen", r"\ba dozen\b", "12"),
    # selling said another way: "put my house on the market", "have the house sold", "rent it out"
    _idiom("market", r"\bput (?P<o>" + _PROPERTY_OBJECT + r"|it)?\s*(?:on|up on) the market\b", r"sell \g<o>"),
    _idiom("sold", r"\b(?:get|have) (?P<o>it|(?:my|our|the) (?:house|home|place|property|condo|townhouse|townhome))"
           r" sold\b", r"sell \g<o>"),
    _idiom(" out", r"\brent(?:ing)? (?P<o>it|them|" + _PROPERTY_OBJECT + r") out\b", r"rent out \g<o>"),
    # the price a seller hopes to get ("hoping to get 525k") is not a buyer's budget
    _idiom("get|ask|net", r"\b(?:get|getting|asking|ask|net|netting|clear)(?= (?:around |about |roughly |at least |"
           r"close to |near )?\$?\d[\d,.]*\s?(?:k|m|mil|million|thousand|,\d{3})\b)", " ASKING "),
    # valuation and market questions
    _idiom("sell", r"\bsells? for\b(?!\s*(?:\$|\d|about|around|over|under|at least|at most|more|less|up to|roughly|"
           r"approximately|near|close))", " HOME_VALUE "),
    _idiom(" get | make | ask ", r"\b(?:how much|what)(?: money)? (?:could|would|can|will|might|should|do) (?:i|we) "
           r"(?:get|make|ask)(?: for| out of)\b", " HOME_VALUE "),
    _idiom("going for", r"\b(?:homes|houses|properties|condos|townhomes|places|they|things|prices)(?: are)? "
           r"going for\b", " PRICES "),
    # opting out, and stopping one channel ("stop calling me" = "not calling me")
    _idiom("take", r"\btake (?:me|us|my number|my name) off(?: of)?(?: (?:your|the|this|ur|all))?(?: (?:texting|text|"
           r"sms|contact|call|calling|mailing|email|marketing|messaging))?(?: lists?)?", " OPT_OUT "),
    _idiom("stop|quit", r"\b(?:stop|quit|stopped)(?: (?:the|all|these|those|your))? (texting|txting|messaging|calling|"
           r"contacting|emailing|sending|bothering|harassing|texts|messages|calls|emails)\b", r"not \1"),
    _idiom("left", r"\b(?:passed(?: away)?|died) and left (?:me|us)\b", " INHERIT "),
    # "i'm good" / "we're all set" after an offer is a polite no (but "i'm good with tuesday" is not)
    _idiom("good|fine|ok|set", r"\b(?:i am|we are|i m|we re)\s+(?:good|fine|ok|okay|all set)\b"
           r"(?!\s+(?:with|for|to|on|at|if))", " NO "),
    # over SMS, "text me the listings" is "send me the listings" (the channel is already text)
    _idiom("text|message|txt", r"\b(?:text|message|txt) (me|us)(?= (?:the|some|a|an|any|all|more|those|these|them|it|"
           r"listings?|homes?|houses?|condos?|information|details|photos?|pics?|pictures?|options?|properties|"
           r"addresses?|links?)\b)", r"send \1"),
    _idiom("agent|realtor|broker", r"\b(?:i am|we are|i m|we re) (?:a |an |the )?(?:licensed )?(?:agent|realtor|broker|"
           r"real estate agent|listing agent|buyers agent)\b", " LEAD_IS_AGENT "),
    _idiom("where", r"\bwhere (?:do|should|can|would) (?:i|we) (?:even )?(?:start|begin)\b", " PROCESS "),
    # the lead will get in touch ("i'll call you") is not a request to be called ("call me")
    _idiom("you|ya", r"\b(?:(?:i|we) (?:will|would|can|could|shall|am going to|are going to|might|may|will try to)|"
           r"let me|let us|(?:can|could|may|shall) (?:i|we)) (?:call|text|email|message|contact|reach out to|"
           r"get back to|get in touch with) (?:you|ya)\b", " LEAD_WILL_CONTACT "),
    # appointments
    _idiom("see|view|look|check|walk|visit", r"\b(?:see|view|look at|check out|walk through|visit)(?= (?:the|this|that|"
           r"it|a|an|your|inside|them|those|these)\b)", "tour"),
    _idiom("push|bump", r"\b(?:push|bump)(?:ed|ing)?(?: back)?(?= (?:it|that|our|the|my|this)\b)", "reschedule"),
    _idiom("move", r"\bmove (?=(?:our|the|my|this) (?:appointment|meeting|showing|call|closing)\b)", "reschedule "),
    # financing not started
    _idiom("start|begun", r"\b(?:have|has)?\s*not (?:even )?(?:started|begun)(?: (?:that|the|this|any))?"
           r"(?: (?:process|yet|at all))*\b", " NOT_STARTED "),
    _idiom("lender|bank|loan|mortgage", r"\b(?:have|has)?\s*not (?:talked|spoken|reached out|gone|been|applied|"
           r"contacted|called|met)(?: (?:to|with))?(?: (?:a|any|an|the|my|our))? (?:lender|lenders|bank|banks|"
           r"loan officer|mortgage broker)(?: yet| at all)*\b", " NOT_STARTED "),
    _idiom("kids|children", r"\b(?:kids|children) (?:have |are |all )?(?:moved out|left home|grown up|all grown|"
           r"out of the house)\b", " EMPTY_NEST "),
]
_WORD_HYPHEN = re.compile(r"(?<=[a-z])-(?=[a-z])|(?<=[0-9])-(?=[a-z])")
_IF_SOLD = re.compile(r"\bif (?:i|we) (?:were to |was to )?(?:sold|sell)(?: it| the house| my house| our house)?"
                      r"(?: now| today| right now| soon)?\b")


def _normalise(text: str) -> str:
    text = text[:MAX_INPUT_CHARS]
    if not text.isascii():
        text = unicodedata.normalize("NFKD", text)
        text = "".join(ch for ch in text if not unicodedata.combining(ch))
    text = text.lower().translate(_QUOTES)
    for ch in _EMOJI_YES:
        text = text.replace(ch, " yes ")
    for ch in _EMOJI_NO:
        text = text.replace(ch, " no ")
    text = _NOT_KEPT.sub(" ", text)
    text = _APOSTROPHE_IS.sub(r"\1 is", text)
    for pattern, replacement in _CONTRACTIONS:
        text = pattern.sub(replacement, text)
    text = _WORD.sub(lambda m: _correct_word(m.group(0)), text)
    text = _WORD_HYPHEN.sub(" ", text)  # "pre-approved", "first-time", "five-bedroom"
    text = _NUMBER_WORD_RUN.sub(_number_run_to_digits, text)
    for guard, pattern, replacement in _IDIOMS:
        if guard is None or any(g in text for g in guard):
            text = pattern.sub(replacement, text)
    if "HOME_VALUE" in text or "worth" in text or "value" in text:
        text = _IF_SOLD.sub(" ", text)  # "what could I get for it if I sold now": hypothetical, not a sale
    return text


_TOKEN = re.compile(r"(?P<mark>[A-Z][A-Z_0-9]*)|(?P<num>\d+(?:,\d{3})+(?:\.\d+)?|\d*\.\d+|\d+)"
                    r"|(?P<word>[a-z][a-z0-9]*)|(?P<sym>[$%+/\-:?!.,;@#~])")


def _plain_tokens(phrase: str) -> list[_Tok]:
    return _tokens(phrase, _PLAIN_LEXICON, _PLAIN_FIRST_WORDS)


def _tokens(text: str, lexicon=None, first_words=None) -> list[_Tok]:
    """Phrase-lexicon look-up, longest match first, over the normalised text."""
    lexicon = _LEXICON if lexicon is None else lexicon
    first_words = _FIRST_WORDS if first_words is None else first_words
    raw = [(m.lastgroup, m.group(0)) for m in _TOKEN.finditer(text)]
    words = tuple(value if kind == "word" else None for kind, value in raw)
    out: list[_Tok] = []
    i = 0
    while i < len(raw):
        kind, value = raw[i]
        if kind == "mark":
            if value.startswith("ORD_"):
                out.append(_Tok(ORD, int(value[4:]), value))
            else:
                out.append(_Tok(C, value, value))
            i += 1
            continue
        if kind == "num":
            out.append(_Tok(NUM, float(value.replace(",", "")), value))
            i += 1
            continue
        if kind == "sym":
            if value in "?!.,;":
                out.append(_Tok(B, value, value))
            elif value == "%":
                out.append(_Tok(U, "pct", value))
            elif value == "~":
                out.append(_Tok(Q, "approx", value))
            else:
                out.append(_Tok(SYM, value, value))
            i += 1
            continue
        matched = None
        for key in first_words.get(value, ()):
            if words[i:i + len(key)] == key:
                matched = key
                break
        if matched is None:
            out.append(_Tok(W, _stem(value), value))
            i += 1
            continue
        kind_, meaning = lexicon[matched]
        phrase = " ".join(matched)
        if kind_ == C and " " in meaning:
            for name in meaning.split():
                out.append(_Tok(C, name, phrase))
        else:
            out.append(_Tok(kind_, meaning, phrase))
        i += len(matched)
    return out


def _stem(word: str) -> str:
    """Light stemming of a word the lexicon does not know: plurals and -ing, never the past tense -ed
    ("ends" = "end", but "ended" stays different)."""
    if len(word) > 4 and word.endswith("ies"):
        word = word[:-3] + "y"
    elif len(word) > 4 and word.endswith("sses"):
        word = word[:-2]
    elif len(word) > 3 and word.endswith("s") and not word.endswith(("ss", "us", "is")):
        word = word[:-1]
    if len(word) > 5 and word.endswith("ing"):
        word = word[:-3]
    return word


# --------------------------------------------------------------------------------------------------------
# The bot's question: what it asks about, which options it offers, whether a yes/no answer fits.
# --------------------------------------------------------------------------------------------------------

_AUX = frozenset("are is am do does did have has had would could can will should was were may shall".split())
_WH = frozenset("what which when where who why how".split())
_UNIT_QUESTIONS = {"bed": "bed", "bath": "bath", "month": "month", "week": "week", "year": "year", "day": "day"}
_MONEY_WORDS = frozenset("budget afford price prices priced spend spending pay paying offer asking cost costs range "
                         "worth approved qualified preapproved prequalified list listing payment".split())


@dataclass(frozen=True)
class _Question:
    text: str = ""
    terms: tuple = ()               # canonical terms of the question itself (part of the fingerprint)
    yes_no: bool = False            # a yes/no question ("Have you been pre-approved?")
    offer: bool = False             # an offer ("Would you like ...?"): a bare "no" declines
    options: tuple = ()             # concept alternatives, in order ("BUY", "SELL", "BOTH")
    slot_options: tuple = ()        # day/time alternatives, in order (("day=tue", "time=16:00"), ...)
    asks_unit: str | None = None    # the unit a bare number answers in (bed, bath, month, ..., money)
    restatable: frozenset = field(default_factory=frozenset)


@lru_cache(maxsize=1024)
def _question(context: str) -> _Question:
    if not context.strip():
        return _Question()
    text = _normalise(context)
    words = re.findall(r"[a-z]+", text)
    asks_unit = None
    for i, word in enumerate(words):
        if word == "how" and i + 1 < len(words) and words[i + 1] in ("many", "much"):
            for nxt in words[i + 2:i + 4]:
                meaning = _LEXICON.get((nxt,))
                if meaning and meaning[0] == U and meaning[1] in _UNIT_QUESTIONS:
                    asks_unit = _UNIT_QUESTIONS[meaning[1]]
            if asks_unit is None and words[i + 1] == "much":
                asks_unit = "money"
    if asks_unit is None and ({"price", "budget", "afford", "spend"} & set(words)):
        asks_unit = "money"
    toks = _structure(_tokens(text), _Question(), money_context=asks_unit == "money")
    terms = _collect(toks)
    first = next((w for w in words if w not in ("just", "so", "ok", "hi", "hey", "quick", "question")), "")
    clauses = [c.split() for c in re.split(r"[-.;:!?]", text) if c.split()]
    last_first = clauses[-1][0] if clauses else ""
    options = _concept_options(toks)
    slot_options = _slot_options(toks)
    yes_no = (first in _AUX or last_first in _AUX or last_first in ("still", "sound", "sounds", "ok", "okay",
                                                                      "good", "right", "correct"))
    yes_no = yes_no and not options
    offer = bool(re.search(r"\b(would you like|do you want|want me to|can i send|shall i|should i|interested in|"
                           r"would it help|would you be open)\b", text))
    terms = [t for t, _ in terms if not t.startswith("~")]
    restatable = frozenset(t for t in terms if t not in ("YES", "NO", "ASK") and not t.startswith("!"))
    return _Question(text=text, terms=tuple(sorted(set(terms))), yes_no=yes_no, offer=offer,
                     options=options, slot_options=slot_options, asks_unit=asks_unit, restatable=restatable)


def _concept_options(toks: list[_Tok]) -> tuple:
    """The alternatives of an "X, Y, or Z" question: the concept after "or" and the comma list before it."""
    for i, tok in enumerate(toks):
        if tok.kind == B and tok.raw == "or":
            after = next((t for t in toks[i + 1:] if t.kind not in (F, DET, PROP)), None)
            if after is None or after.kind != C:
                continue
            before = []
            j = i - 1
            while j >= 0 and toks[j].kind in (F, DET, PROP) or (j >= 0 and toks[j].kind == B and toks[j].raw == ","):
                j -= 1
            while j >= 0 and toks[j].kind == C:
                before.insert(0, toks[j].value)
                j -= 1
                if j >= 0 and toks[j].kind == B and toks[j].raw == ",":
                    j -= 1
                else:
                    break
            if before:
                return tuple(before + [after.value])
    return ()


def _slot_options(toks: list[_Tok]) -> tuple:
    """Day/time alternatives in order: each weekday opens an option, the clock time after it joins it."""
    if not any(t.kind == B and t.raw == "or" for t in toks):
        return ()
    options, current = [], []
    for tok in toks:
        if tok.kind == S and tok.value.startswith("day="):
            if current:
                options.append(tuple(current))
            current = [tok.value]
        elif tok.kind == S and tok.value.startswith("time=") and current:
            current.append(tok.value)
    if current:
        options.append(tuple(current))
    if len(options) < 2:
        options = [(t.value,) for t in toks if t.kind == S and t.value.startswith("time=")]
    return tuple(options) if len(options) >= 2 else ()


# --------------------------------------------------------------------------------------------------------
# Analysis of the message: structure (numbers, noun phrases, negation) and its terms in order.
# --------------------------------------------------------------------------------------------------------

@dataclass
class _Analysis:
    terms: list           # [(term, position)] in order of appearance; "!" marks a negated term
    areas: list           # places the text names (zip codes, names after "in", "near", ...)
    asks: bool            # the message asks something (wh-word or an inverted yes/no question)
    words: tuple = ()     # the normalised words, the fingerprint of a message without any known term
    raw: str = ""         # the stripped text, for a message without words (emoji only)


def _analyse(text: str, ctx: _Question) -> _Analysis:
    normal = _normalise(text)
    toks = _tokens(normal)
    toks = _structure(toks, ctx, money_context=ctx.asks_unit == "money")
    terms = _collect(toks)
    asks = _asks(normal)
    if asks:
        terms.append(("ASK", len(terms)))
    word_list = tuple(re.findall(r"[a-z0-9]+", normal.lower()))
    if word_list in _OPT_OUT_KEYWORDS:
        terms = [("OPT_OUT", 0)]  # carrier keywords, as the whole message
    raw = " ".join(text.split()).lower()[:80].replace(",", " ").replace("|", " ")
    return _Analysis(terms=terms, areas=_areas(toks, ctx), asks=asks, words=word_list[:60], raw=raw)


_OPT_OUT_KEYWORDS = frozenset({("end",), ("quit",), ("stop",), ("stopall",), ("unsubscribe",), ("optout",),
                               ("revoke",), ("end", "please"), ("quit", "please")})


def _structure(toks: list[_Tok], ctx: _Question, money_context: bool) -> list[_Tok]:
    toks = _disambiguate(toks, ctx)
    toks = _numbers(toks, ctx, money_context)
    toks = _noun_phrases(toks)
    toks = _join_words(toks)
    toks = _planned_states(toks)
    return _negation(toks)


# States that a plan does not make true: "we need to get pre-approved" is not "we got pre-approved".
_STATES = frozenset({"PREAPPROVED", "PREQUAL", "SOLD", "LISTED", "CLOSED", "MOVED", "RENOVATED", "OWN", "PAID_OFF",
                     "BOUGHT"})
_BECOMING = frozenset("get be become getting been fully".split())
_INTENDING = frozenset("to will going to hoping hope plan planning".split())


def _planned_states(toks: list[_Tok]) -> list[_Tok]:
    out = []
    for tok in toks:
        if tok.kind == C and tok.value in _STATES:
            k = len(out) - 1
            while k >= 0 and (out[k].kind == DET or out[k].raw in _BECOMING):
                k -= 1
            if k >= 0 and out[k].kind == F and out[k].raw in _INTENDING:
                tok = _Tok(C, "PLAN_" + tok.value, tok.raw)
        out.append(tok)
    return out


_GERUND_OR_OBJECT = frozenset("my our a an the his her their your it this that".split())
_FITS_BEFORE = frozenset("does do did will would could can might should not that this it those these which either "
                         "neither none nothing something anything everything what one".split())


def _disambiguate(toks: list[_Tok], ctx: _Question) -> list[_Tok]:
    out = []
    for i, tok in enumerate(toks):
        if tok.kind != SPC:
            out.append(tok)
            continue
        prev = toks[i - 1] if i else None
        nxt = toks[i + 1] if i + 1 < len(toks) else None
        if tok.value == "LISTING":
            # "listing my house" (verb: selling) vs "the listing on elm" (noun: a property)
            if nxt is not None and nxt.raw in _GERUND_OR_OBJECT and (prev is None or prev.kind != DET):
                out.append(_Tok(C, "SELL", tok.raw))
            else:
                out.append(_Tok(PROP, None, tok.raw))
        elif tok.value == "LIST":
            # "list in the spring" (selling) vs "send me a list", "your list" (a noun)
            out.append(_Tok(W, "list", tok.raw) if prev is not None and prev.kind == DET else
                       _Tok(C, "SELL", tok.raw))
        elif tok.value in ("WORK", "WORKING"):
            # "tuesday works", "that doesnt work", "could work" (fits) vs "relocating for work" (a job)
            if tok.value == "WORKING" and nxt is not None and nxt.raw == "with":
                out.append(_Tok(F, None, tok.raw))
            elif tok.value == "WORK" and prev is not None and (
                    prev.raw in _FITS_BEFORE or prev.kind in (S, DAY, NUM, ORD, U, REF) or prev.raw == "not"):
                out.append(_Tok(C, "YES", tok.raw))
            else:
                out.append(_Tok(C, "JOB", tok.raw))
        elif tok.value == "MAY":
            is_month = (prev is not None and prev.raw in ("in", "by", "until", "before", "after", "early", "late",
                                                          "mid", "of", "end", "next", "this", "last", "since"))
            is_month = is_month or (nxt is not None and nxt.kind in (NUM, ORD))
            out.append(_Tok(MON, "may", tok.raw) if is_month else _Tok(F, None, tok.raw))
        elif tok.value == "DESIRE":
            # "need to sell" (a hedge before the verb) vs "need a pool" (wanting a thing, unlike having it)
            if nxt is None or nxt.raw in ("to", "it", "them", "that") or nxt.kind == B:
                out.append(_Tok(F, None, tok.raw))
            else:
                out.append(_Tok(C, "WANT", tok.raw))
        elif tok.value == "HER":
            # "call her" (someone else) vs "her house" (a possessive, like "his")
            if nxt is not None and nxt.kind in (PROP, W, C, U, NUM):
                out.append(_Tok(F, None, tok.raw))
            else:
                out.append(_Tok(C, "THIRD_PARTY", tok.raw))
        elif tok.value in ("NEXT", "LAST"):
            out.append(_Tok("REL", tok.value.lower(), tok.raw))
        else:
            out.append(_Tok(W, tok.raw, tok.raw))
    return out


_TIME_PREPS = {"at": "=", "@": "=", "after": ">", "before": "<", "by": "<", "until": "<", "till": "<",
               "around": "=", "from": "=", "between": "="}
_TIME_CONCEPTS = {"AFTER": ">", "BEFORE": "<", "UNTIL": "<"}
_DURATION_DAYS = {"day": 1, "week": 7}
_ZIP_PREPS = frozenset("in near around of zip zipcode code to from".split())
_RELATIVE_UNITS = {"day", "week", "month", "year"}


def _fmt(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else f"{value:g}"


def _days(amount: float, unit: str) -> int:
    if unit in ("month", "year"):
        months = amount * 12 if unit == "year" else amount
        # whole years count as 365 days so that "12 months" = "a year" and "2 months" = "60 days"
        return int(round(months / 12 * 365)) if float(months / 12).is_integer() else int(round(months * 30))
    return int(round(amount * _DURATION_DAYS[unit]))


def _clock(hour: float, minute: int, meridiem: str | None) -> str:
    h = int(hour)
    if meridiem == "pm" and h < 12:
        h += 12
    elif meridiem == "am" and h == 12:
        h = 0
    elif meridiem is None and 1 <= h <= 7:
        h += 12  # an hour without am/pm between 1 and 7 is an afternoon appointment
    return f"{h:02d}:{minute:02d}"


def _numbers(toks: list[_Tok], ctx: _Question, money_context: bool) -> list[_Tok]:
    """Numbers with their units and qualifiers become slots; so do days, months, seasons, relative times."""
    out: list[_Tok] = []
    i, n = 0, len(toks)

    def peek(k):
        return toks[k] if k < n else None

    while i < n:
        tok = toks[i]
        if tok.kind == "REL" or (tok.kind == DET and tok.raw == "this" and i + 1 < n and (
                toks[i + 1].kind == U and toks[i + 1].value in _RELATIVE_UNITS)):
            i = _relative(toks, i, out)
            continue
        if tok.kind == DAY:
            out.append(_Tok(S, f"day={tok.value}", tok.raw))
            i += 1
            continue
        if tok.kind == MON:
            nxt = peek(i + 1)
            if nxt is not None and (nxt.kind == ORD and nxt.value > 0 or nxt.kind == NUM and 1 <= nxt.value <= 31):
                out.append(_Tok(S, f"date={tok.value}-{_fmt(nxt.value)}", tok.raw))
                i += 2
            else:
                out.append(_Tok(S, f"month={tok.value}", tok.raw))
                i += 1
            continue
        if tok.kind == SEA:
            out.append(_Tok(S, f"season={tok.value}", tok.raw))
            i += 1
            continue
        if tok.kind == U and tok.value in _RELATIVE_UNITS and out and out[-1].kind == DET and out[-1].value == "a":
            # "within a month", "in a year": one unit
            out.pop()
            tok = _Tok(NUM, 1.0, "1")
            toks = toks[:i] + [tok] + toks[i:]
            n += 1
        if tok.kind == REF and tok.raw == "one" and ctx.asks_unit in ("bed", "bath") and not any(
                t.kind == NUM for t in toks):
            tok = _Tok(NUM, 1.0, "one")  # "one" answering "how many bedrooms"
            toks = toks[:i] + [tok] + toks[i + 1:]
        if tok.kind == NUM and out and (out[-1].raw in ("option", "choice", "number") or out[-1].raw == "#") \
                and tok.value <= 10:
            out.pop()
            out.append(_Tok(ORD, int(tok.value), tok.raw))
            i += 1
            continue
        if tok.kind != NUM:
            out.append(tok)  # a qualifier or unit here is resolved below if no number claims it
            i += 1
            continue
        i = _number(toks, i, out, ctx, money_context)
    # qualifiers and units that no number claimed fall back to their ordinary meaning
    final = []
    for tok in out:
        if tok.kind == Q:
            final.extend(_plain_tokens(tok.raw))
        elif tok.kind == U:
            final.append(_unit_alone(tok, final[-1] if final else None))
        else:
            final.append(tok)
    return final


def _unit_alone(tok: _Tok, prev: _Tok | None) -> _Tok:
    if tok.value == "k":
        return _Tok(C, "YES", tok.raw)  # "k" = ok
    if tok.value in ("am", "pm"):
        # "fri am" is a morning; "i am" is a verb
        if prev is not None and (prev.kind == S and prev.value.startswith("day=") or prev.raw in ("the", "in")):
            return _Tok(C, "MORNING" if tok.value == "am" else "AFTERNOON", tok.raw)
        return _Tok(F, None, tok.raw)
    return _Tok(W, _stem(tok.raw.split()[-1]), tok.raw)


def _relative(toks, i, out) -> int:
    """next/this/last + a unit, season, month or day: "next year" (calendar) vs "the next year" (12 months)."""
    tok = toks[i]
    if tok.kind == DET:
        tok = _Tok("REL", "this", tok.raw)
    nxt = toks[i + 1] if i + 1 < len(toks) else None
    definite = bool(out) and out[-1].kind == DET and out[-1].value == "the"
    if nxt is not None and nxt.kind == NUM:
        return i + 1  # "the next 30 days": the number makes a duration
    if nxt is not None and nxt.kind == U and nxt.value in _RELATIVE_UNITS:
        if definite and tok.value == "next":
            out.pop()
            out.append(_Tok(S, f"dur={_days(1, nxt.value)}d", "the next " + nxt.raw))
        else:
            out.append(_Tok(S, f"rel={tok.value}_{nxt.value}", tok.raw + " " + nxt.raw))
        return i + 2
    if nxt is not None and nxt.kind in (SEA, MON, DAY):
        prefix = {SEA: "season", MON: "month", DAY: "day"}[nxt.kind]
        out.append(_Tok(S, f"{prefix}={tok.value}_{nxt.value}", tok.raw + " " + nxt.raw))
        return i + 2
    if nxt is not None and nxt.kind == C and nxt.value in ("WEEKEND", "WEEKDAY", "MORNING", "AFTERNOON", "EVENING",
                                                           "SCHOOL_YEAR"):
        out.append(_Tok(S, f"rel={tok.value}_{nxt.value.lower()}", tok.raw + " " + nxt.raw))
        return i + 2
    if nxt is not None and nxt.kind == REF and tok.value == "last":
        out.append(_Tok(ORD, -1, tok.raw))
        return i + 1
    out.append(_Tok(W, tok.value, tok.raw))
    return i + 1


def _leading_qualifier(out: list[_Tok]) -> str | None:
    """A max/min qualifier before the number ("under $500k", "no more than 3", "max budget 500k")."""
    for k in range(len(out) - 1, max(len(out) - 4, -1), -1):
        tok = out[k]
        if tok.kind == Q:
            del out[k]
            return tok.value
        if tok.kind == SYM and tok.value == "$":
            continue
        if tok.kind == F and tok.raw not in _TIME_PREPS:
            continue
        return None
    return None


def _number(toks, i, out, ctx, money_context) -> int:
    """Parse the number at toks[i] with its suffix, unit, range and qualifiers; append one slot to out."""
    n = len(toks)
    dollar = bool(out) and out[-1].kind == SYM and out[-1].value == "$"
    if dollar:
        out.pop()
    qualifier = _leading_qualifier(out)
    prev = out[-1] if out else None  # the word before the number: "at 5", "between 400 and 500k", "in 78704"
    prev_raw = prev.raw if prev is not None else ""
    value = toks[i].value
    raw_number = toks[i].raw
    j = i + 1

    def at(k):
        return toks[k] if k < n else None

    plus = at(j) is not None and at(j).kind == SYM and at(j).value == "+"
    if plus:
        j += 1
    kind, unit, scale, minute, meridiem = None, None, 1.0, 0, None
    nxt = at(j)
    if nxt is not None and nxt.kind == U and nxt.value in ("k", "m"):
        scale = 1000.0 if nxt.value == "k" else 1_000_000.0
        kind = "money"
        j += 1
    elif dollar:
        kind = "money"
    nxt = at(j)
    if kind is None and nxt is not None and nxt.kind == SYM and nxt.value == ":" and at(j + 1) is not None \
            and at(j + 1).kind == NUM:
        kind, minute = "time", int(at(j + 1).value)
        j += 2
        nxt = at(j)
    if nxt is not None and nxt.kind == U:
        if nxt.value in ("am", "pm") and (kind in (None, "time")) and value <= 12:
            kind, meridiem = "time", nxt.value
            j += 1
        elif nxt.value == "oclock" and kind in (None, "time"):
            kind = "time"
            j += 1
        elif nxt.value in ("bed", "bath", "sqft", "acre", "pct") and kind is None:
            kind, unit = "count", nxt.value
            j += 1
        elif nxt.value in _RELATIVE_UNITS and kind is None:
            kind, unit = "duration", nxt.value
            j += 1
    # monthly amounts: "1800/mo", "2k a month", "$1,800 per month"
    nxt, nxt2 = at(j), at(j + 1)
    if nxt is not None and nxt2 is not None and nxt2.kind == U and nxt2.value == "month" and (
            (nxt.kind == SYM and nxt.value == "/") or nxt.raw in ("a", "per", "each", "every")):
        if kind in (None, "money"):
            kind, unit = "money", "monthly"
            j += 2
    elif kind in (None, "money") and nxt is not None and nxt.raw == "monthly":
        kind, unit = "money", "monthly"
        j += 1
    # ranges: "350-400k", "between 400 and 500k", "$400k-$500k", "3 to 4 bedrooms"
    upper = None
    nxt = at(j)
    if nxt is not None and (nxt.kind == SYM and nxt.value == "-" or nxt.raw in ("to", "and") and prev_raw == "between"
                            or nxt.raw == "to" and kind in (None, "money", "count")):
        k = j + 1
        if at(k) is not None and at(k).kind == SYM and at(k).value == "$":
            k += 1
        if at(k) is not None and at(k).kind == NUM:
            sub_out: list[_Tok] = []
            end = _number(toks, k, sub_out, ctx, money_context)
            second = sub_out[-1] if sub_out else None
            if second is not None and second.kind == S:
                parsed = _parse_slot(second.value)
                if parsed is not None:
                    skind, sunit, svalue = parsed
                    first_value = value * scale
                    if kind is None and skind == "money" and first_value < svalue:
                        factor = 1000.0 if svalue >= 1000 and value < 1000 else 1.0
                        if svalue >= 1_000_000 and value < 100:
                            factor = 1_000_000.0
                        first_value = value * factor
                        kind = "money"
                    if kind is None and skind in ("count", "duration"):
                        kind, unit = skind, sunit
                    if kind == skind or (kind == "money" and skind == "money"):
                        upper = svalue
                        value, scale = first_value, 1.0
                        j = end
    # trailing qualifiers: "550k max", "3br minimum", "or more"
    nxt = at(j)
    if nxt is not None and nxt.kind == Q and nxt.raw in POSTFIX_QUALIFIERS and qualifier is None:
        qualifier = nxt.value
        j += 1
    if plus:
        qualifier = "min"
    # what a bare number means: a clock time, money, the unit the question asks for, a zip, an address...
    amount = value * scale
    if kind is None:
        money_context = money_context or _money_nearby(out, at(j))
        time_prep = prev_raw in _TIME_PREPS or (prev is not None and prev.kind == C and prev.value in _TIME_CONCEPTS)
        address = _address(toks, j)
        if address is not None and value >= 1 and float(value).is_integer():
            words, j = address
            out.append(_Tok(S, f"addr={_fmt(value)} {words}", raw_number))
            return j
        if time_prep and 1 <= value <= 12:
            kind = "time"
        elif value >= 10000 and value <= 99999 and float(value).is_integer() and len(raw_number) == 5 and (
                prev_raw in _ZIP_PREPS or not money_context):
            out.append(_Tok(S, f"zip={raw_number}", raw_number))
            return j
        elif value >= 100_000 and float(value).is_integer():
            kind = "money"  # six digits and more without a unit: a price ("450,000")
        elif money_context and not (prev is not None and prev.kind == C and prev.value == "CREDIT"):
            if 50 <= value < 10000:
                kind, amount = "money", value * 1000
            elif value >= 10000:
                kind = "money"
            elif not float(value).is_integer() and value < 20:
                kind, amount = "money", value * 1_000_000
        if kind is None and ctx.asks_unit in ("bed", "bath") and value <= 20:
            kind, unit = "count", ctx.asks_unit
        elif kind is None and ctx.asks_unit in _RELATIVE_UNITS and value <= 120:
            kind, unit = "duration", ctx.asks_unit
    if upper is not None and kind == "money" and scale == 1.0:
        amount = value
    op = {"max": "<=", "min": ">=", None: "=", "approx": "="}[qualifier]
    if kind == "time":
        # "at 5", "after 5", "by 5", "prior to 5": the preposition becomes the comparison
        if prev is not None and prev.kind == C and prev.value in _TIME_CONCEPTS:
            op = _TIME_CONCEPTS[prev.value]
            out.pop()
        elif prev_raw in _TIME_PREPS:
            op = _TIME_PREPS[prev_raw]
            out.pop()
        out.append(_Tok(S, f"time{op}{_clock(value, minute, meridiem)}", raw_number))
        return j
    if kind == "money":
        label = "$/mo" if unit == "monthly" else "$"
        text = f"{_fmt(amount)}-{_fmt(upper)}" if upper is not None else _fmt(amount)
        out.append(_Tok(S, f"{label}{op}{text}", raw_number))
        return j
    if kind == "count":
        text = f"{_fmt(value)}-{_fmt(upper)}" if upper is not None else _fmt(value)
        out.append(_Tok(S, f"{unit}{op}{text}", raw_number))
        return j
    if kind == "duration":
        days = _days(value, unit)
        text = f"{days}-{_days(upper, unit)}d" if upper is not None else f"{days}d"
        out.append(_Tok(S, f"dur{op}{text}", raw_number))
        return j
    # a plain number, bound to the word after it when there is one ("2 car garage", "5 people")
    nxt = at(j)
    if nxt is not None and (nxt.kind == W or nxt.kind == C and nxt.value in _COUNTABLE):
        out.append(_Tok(S, f"n{op}{_fmt(value)}:{nxt.value}", raw_number))
        return j + 1
    out.append(_Tok(S, f"n{op}{_fmt(value)}", raw_number))
    return j


# Concepts a bare number counts ("3 kids", "2 condos"), so "3 kids and 2 grandkids" keeps its pairs.
_COUNTABLE = frozenset({"KIDS", "GRANDKIDS", "GARAGE", "POOL", "CONDO", "TOWNHOUSE", "DUPLEX", "TRIPLEX", "FOURPLEX",
                        "LAND", "APARTMENT", "MOBILE_HOME", "SINGLE_FAMILY", "AGENT", "SHOWING", "APPOINTMENT", "CALL",
                        "TEXT", "EMAIL", "LENDER", "MORTGAGE", "KITCHEN", "ROOF", "FLOORS", "BASEMENT", "YARD",
                        "OFFER", "INVESTMENT", "HUMAN", "THIRD_PARTY"})
_SLOT = re.compile(r"^(\$/mo|\$|bed|bath|sqft|acre|pct|dur|n)(<=|>=|=)([\d.]+)(d?)$")


_MONEY_CONCEPTS = frozenset({"PREAPPROVED", "PREQUAL", "AFFORD", "PRICES", "MORTGAGE", "FEE", "HOME_VALUE",
                             "DOWN_PAYMENT"})


def _money_nearby(out: list[_Tok], following: _Tok | None) -> bool:
    """A money word in the same clause just before a bare number ("pre approved for 450", "budget is around
    450") or right after it ("450 budget"): then the number is an amount."""
    for tok in reversed(out[-6:]):
        if tok.kind == B:
            return False
        if tok.kind == C and tok.value in _MONEY_CONCEPTS or any(w in _MONEY_WORDS for w in tok.raw.split()):
            return True
    return following is not None and any(w in _MONEY_WORDS for w in following.raw.split())


def _parse_slot(slot: str):
    m = _SLOT.match(slot)
    if not m:
        return None
    label, _, number, _ = m.groups()
    value = float(number)
    if label in ("$", "$/mo"):
        return "money", None, value
    if label == "dur":
        return "duration", "day", value
    if label in ("bed", "bath", "sqft", "acre", "pct"):
        return "count", label, value
    return None


def _address(toks, j):
    """A house number followed by a street name and its suffix: "412 elm st" -> "elm street"."""
    words = []
    for k in range(j, min(j + 4, len(toks))):
        tok = toks[k]
        if tok.kind != W:
            return None
        words.append(tok.raw)
        if tok.raw in STREET_SUFFIXES and len(words) >= 2:
            return " ".join(words), k + 1
    return None


_PROPERTY_ADJECTIVES = frozenset("current own old existing first family new little big small".split())


def _noun_phrases(toks: list[_Tok]) -> list[_Tok]:
    """Generic property nouns: "my house" (MY_HOME), "the house on elm" (THE_HOME, a particular one), "a house"
    (nothing more than the sentence already says; kept as a cue for the buyer rule). Determiners are dropped
    afterwards."""
    out = []
    for tok in toks:
        if tok.kind == C and tok.value == "AVAILABLE" and tok.raw == "for sale" and out and out[-1].value == "PROPERTY":
            continue  # "homes for sale" are listings: nothing more than "homes"
        if tok.kind != PROP:
            out.append(tok)
            continue
        k = len(out) - 1
        while k >= 0 and out[k].raw in _PROPERTY_ADJECTIVES:  # "our current place", "my old house"
            k -= 1
        if k >= 0 and out[k].kind == DET and out[k].value == "my":
            out.append(_Tok(C, "MY_HOME", tok.raw))
            continue
        k, steps = len(out) - 1, 0
        while k >= 0 and steps < 4 and (out[k].kind in (W, F, S) or out[k].kind == C and out[k].value in
                                         ("CONDO", "TOWNHOUSE", "SINGLE_FAMILY", "RENT")):
            k, steps = k - 1, steps + 1  # "the oak hill drive listing", "the 2br rental property"
        if k >= 0 and out[k].kind == DET and out[k].value == "the":
            out.append(_Tok(C, "THE_HOME", tok.raw))
        else:
            out.append(_Tok(F, "PROPERTY", tok.raw))
    return out


def _join_words(toks: list[_Tok]) -> list[_Tok]:
    """Adjacent unknown words form one term: "round rock", "oak hill drive" (order kept, so exact).
    A name after "from" keeps the direction: moving from Dallas is not moving to Dallas."""
    out = []
    for tok in toks:
        if tok.kind == W and out and out[-1].kind == W:
            out[-1] = _Tok(W, out[-1].value + " " + tok.value, out[-1].raw + " " + tok.raw)
        else:
            out.append(tok)
    for k, tok in enumerate(out):
        if tok.kind == W:
            j = k - 1
            while j >= 0 and out[j].kind == DET:
                j -= 1
            if j >= 0 and out[j].raw == "from":
                out[k] = _Tok(W, "from " + tok.value, tok.raw)
    return out


_NP_INTERNAL = frozenset("a an the real full actual other such more big".split())
_CONTENT = (C, W, S, REF)


def _negation(toks: list[_Tok]) -> list[_Tok]:
    """A negator marks the next content term of its clause ("not pre-approved", "tuesday doesnt work",
    "no kids"); "no" as an answer (followed by a pronoun, a comma, or nothing) is the answer NO."""
    out = []
    pending = None  # "vp" (not, never, without...) or "np" (no) while a negator waits for its term
    for tok in toks:
        if tok.kind == N:
            if pending is not None:
                out.append(_Tok(C, "NO", "no"))  # "no, not yet": the first one was an answer
            pending = tok.value
            continue
        if pending is not None:
            if tok.kind in _CONTENT:
                if tok.kind == C and tok.value in ("GREETING",):
                    out.append(tok)
                    continue
                out.append(_Tok(tok.kind, tok.value, tok.raw, neg=True))
                # "doesn't need repairs": the wanted thing is negated too
                pending = "vp" if tok.kind == C and tok.value == "WANT" else None
                continue
            if tok.kind == B or (pending == "np" and not (tok.kind in (F, DET) and tok.raw in _NP_INTERNAL)):
                out.append(_Tok(C, "NO", "no"))  # nothing to negate in the clause: an answer
                pending = None
            out.append(tok)
            continue
        out.append(tok)
    if pending is not None:
        out.append(_Tok(C, "NO", "no"))
    return out


def _collect(toks: list[_Tok]) -> list:
    """Terms in order of appearance ("!" marks a negated one); "~" marks cues that never reach the fingerprint."""
    terms = []
    for tok in toks:
        if tok.kind in (C, W, S, REF, ORD):
            if tok.kind == REF:
                name = "REF"
            elif tok.kind == ORD:
                name = f"ord={tok.value}"
            else:
                name = tok.value
            if tok.neg:
                name = "NO" if name == "YES" else "YES" if name == "NO" else "!" + name
            terms.append((name, len(terms)))
        elif tok.kind == F and tok.value == "PROPERTY":
            terms.append(("~PROPERTY", len(terms)))  # a cue for rules, never part of the fingerprint
        elif tok.kind == B and tok.raw in (".", "!", "?", ";"):
            terms.append(("~SENTENCE", len(terms)))
    return terms


_CLAUSE_OPENERS = frozenset("hey hi hello so ok okay and but also just um oh well yo btw quick question".split())
_SUBJECTS = frozenset("i we you they it he she this that there the my our your a an any anyone someone these "
                      "those u".split())
_ASK_AUX = frozenset("do does did is are am was were has have had".split())


def _asks(normal: str) -> bool:
    """An information question: a wh-word ("what's my home worth") or an inverted yes/no question
    ("is the condo still available") opening a clause. Requests ("can you call me") are not questions."""
    for clause in re.split(r"[,.;:!?\-]|\b(?:and|but|so)\b", normal):
        words = [w for w in re.findall(r"[a-z]+", clause)]
        while words and words[0] in _CLAUSE_OPENERS:
            words = words[1:]
        if not words:
            continue
        if words[0] in _WH and not (words[0] == "how" and len(words) > 1 and words[1] == "about"):
            return True
        if words[0] in _ASK_AUX and len(words) > 1 and words[1] in _SUBJECTS:
            return True
    return False


def _areas(toks: list[_Tok], ctx: _Question) -> list[str]:
    """Places for the facts: zip codes, and names (unknown words) after in/near/around or answering a
    question about areas."""
    asks_areas = "area" in ctx.text or "neighborhood" in ctx.text or "where" in ctx.text
    areas = []
    for i, tok in enumerate(toks):
        if tok.neg:
            continue
        if tok.kind == S and tok.value.startswith("zip="):
            areas.append(tok.value[4:])
        elif tok.kind == W:
            k = i - 1
            while k >= 0 and toks[k].kind in (DET,):
                k -= 1
            prev = toks[k] if k >= 0 else None
            before = toks[k - 1] if k >= 1 else None
            located = prev is not None and (prev.raw in ("in", "near", "around", "outside", "inside") or
                                            prev.kind == C and prev.value == "NEAR" or
                                            prev.raw == "to" and before is not None and before.kind == C and
                                            before.value in ("MOVE", "RELOCATE", "MOVED"))
            if located or asks_areas:
                areas.append(tok.raw)
    seen, result = set(), []
    for area in areas:
        if area not in seen and len(area) <= 60:
            seen.add(area)
            result.append(area)
    return result[:10]


# --------------------------------------------------------------------------------------------------------
# Resolution against the question, and canonical rules that make equivalent statements equal.
# --------------------------------------------------------------------------------------------------------

FINANCING_STATUS = ("CASH", "PREAPPROVED", "PREQUAL", "FHA", "VA", "USDA", "JUMBO", "CONVENTIONAL")
PROPERTY_TYPES = ("CONDO", "TOWNHOUSE", "SINGLE_FAMILY", "DUPLEX", "TRIPLEX", "FOURPLEX", "MULTI_FAMILY", "LAND",
                  "MOBILE_HOME")
ROLES = ("BUY", "SELL", "RENT", "RENT_OUT", "OWN")
IMPLIED_NO = ("NOT_STARTED", "CANCEL")
_INFO_REQUESTS = frozenset({"HOME_VALUE", "PRICES", "FEE", "HOA", "TAX", "AVAILABLE", "PROCESS", "HELP", "MARKET",
                            "INTEREST_RATE", "CLOSING_COSTS"})


def _resolve(analysis: _Analysis, ctx: _Question) -> list[str]:
    ordered = [t for t, _ in analysis.terms]
    ordered = _order_terms(ordered)
    terms = [t for t in ordered if not t.startswith("~")]
    cues = set(ordered)

    # Short replies read against the question's alternatives: "the first one", "both", "tuesday works".
    if ctx.options:
        picked = []
        for term in terms:
            index = int(term[4:]) if term.startswith("ord=") else 0
            if 0 < index <= len(ctx.options) or index == -1:
                term = ctx.options[index - 1] if index > 0 else ctx.options[-1]
            picked.append(term)
        terms = []
        for term in picked:
            terms.extend((o for o in ctx.options if o != "BOTH") if term == "BOTH" else (term,))
    if ctx.slot_options:
        terms = _pick_slot_option(terms, ctx)
    terms = [_ordinal_word(t) if t.startswith("ord=") else t for t in terms]

    # A yes/no question: restating it is answering it ("we're pre-approved" = "yes", "no agent" = "no").
    # Only when the question is about one thing: after "buy a home, sell one, or both?" restating "buy" and
    # restating "sell" are different answers, and both must not collapse into "yes".
    if ctx.yes_no:
        answered = []
        single_topic = len(ctx.restatable - {"REF", "BOTH"}) <= 1
        for term in terms:
            base = term[1:] if term.startswith("!") else term
            if base == "REF" or (single_topic and base in ctx.restatable):
                answered.append("NO" if term.startswith("!") else ("YES" if base != "REF" else ""))
            else:
                answered.append(term)
        terms = [t for t in answered if t]
        if any(t in IMPLIED_NO for t in terms):
            terms.append("NO")
    terms = [t for t in terms if t != "REF"]  # a pronoun adds nothing; a negated one ("!REF") does

    present = set(terms)
    # Financing status implies a buyer; cash implies no mortgage.
    if present & set(FINANCING_STATUS) or "FIRST_TIME_BUYER" in present:
        present.add("BUY")
    if "CASH" in present:
        present -= {"!MORTGAGE"}
    # Moving for a job is a relocation.
    if "MOVE" in present and ("JOB" in present or "RELOCATE" in present):
        present -= {"MOVE"}
        present.add("RELOCATE")
    # Selling or renting out is about one's own home; "my house" adds nothing to it.
    if present & {"SELL", "RENT_OUT"}:
        present.discard("MY_HOME")
    # Urgency said twice is said once.
    if "ASAP" in present:
        present -= {"SOON", "HURRY"}
    # Wanting a home, a condo, land, so many bedrooms... is buying, unless renting or selling is said; and a
    # want next to a role ("looking to buy") is the role.
    if "WANT" in present:
        wants_property = "~PROPERTY" in cues or present & set(PROPERTY_TYPES) or any(
            t.startswith(("bed", "bath", "$=", "$<=", "$>=", "acre", "sqft")) for t in present)
        if wants_property and not present & {"RENT", "SELL", "RENT_OUT", "APARTMENT", "OWN", "MY_HOME",
                                             "THIRD_PARTY"}:
            present.add("BUY")
        if present & ({"BUY", "RENT", "SELL", "RENT_OUT", "CALL", "TALK", "HUMAN", "CONTACT", "SEND", "EMAIL"} |
                       _INFO_REQUESTS | _APPOINTMENT):
            present.discard("WANT")  # "I want a valuation" is asking for one
    # Choosing one of the offered times already says yes.
    if any(t.startswith("pick=") for t in present):
        present.discard("YES")
    # Asking for a valuation, prices, fees or availability is a question however it is phrased.
    if present & _INFO_REQUESTS:
        present.discard("ASK")
    # A greeting with a request or a fact is just politeness ("hi, saw your sign" stays a greeting).
    if any(not t.islower() for t in present - {"GREETING"}):
        present.discard("GREETING")
    # Opting out: "stop", "unsubscribe", "dont text me anymore" and nothing else.
    if present and present <= {"OPT_OUT", "!TEXT", "!CONTACT", "!CALL", "!EMAIL", "!SEND", "NO"} and \
            present & {"OPT_OUT", "!TEXT", "!CONTACT"}:
        present = {"OPT_OUT"}
    if "YES" in present and "NO" in present and ctx.yes_no:
        present.discard("YES")  # "ok but no": the refusal is the answer
    present.discard("THEN")
    if not present:
        # Nothing the lexicon knows ("maybe", "hmm", "lol"): only the same words are the same message.
        present = {"text:" + " ".join(analysis.words)} if analysis.words else (
            {"raw:" + analysis.raw} if analysis.raw else set())
    return sorted(present)


def _order_terms(ordered: list[str]) -> list[str]:
    """"we're buying before we sell" vs "selling before we buy": keep which of two events comes first."""
    result = list(ordered)
    for k, term in enumerate(ordered):
        if term not in ("BEFORE", "AFTER", "THEN"):
            continue
        left = _nearest(reversed(ordered[:k]))
        right = _nearest(ordered[k + 1:])
        if left is None or right is None or ":" in left + right:
            continue
        first, second = (left, right) if term in ("BEFORE", "THEN") else (right, left)
        result[k] = f"{first}<{second}"
    return result


def _nearest(terms) -> str | None:
    """The nearest event term in the same sentence."""
    for term in terms:
        if term == "~SENTENCE":
            return None
        if not term.startswith(("~", "ord=")) and term not in ("YES", "NO", "ASK", "THEN", "BEFORE", "AFTER"):
            return term
    return None


def _ordinal_word(term: str) -> str:
    value = int(term[4:])
    return {1: "first", 2: "second", 3: "third", 4: "fourth", -1: "last"}.get(value, term)


def _pick_slot_option(terms: list[str], ctx: _Question) -> list[str]:
    """Map "the first one", "tuesday", "thurs 10am" onto one of the offered times when exactly one fits."""
    when = [t for t in terms if t.startswith(("day=", "time="))]
    ordinal = next((t for t in terms if t.startswith("ord=")), None)
    choice = None
    if ordinal is not None:
        index = int(ordinal[4:])
        if 0 < index <= len(ctx.slot_options):
            choice = ctx.slot_options[index - 1]
        elif index == -1:
            choice = ctx.slot_options[-1]
    elif when:
        fitting = [o for o in ctx.slot_options if all(t in o for t in when)]
        if len(fitting) == 1:
            choice = fitting[0]
    if choice is None:
        return terms
    kept = [t for t in terms if t not in when and t != ordinal and t not in ("!" + w for w in when)]
    negated = any(t.startswith("!") and t[1:] in choice for t in terms)
    kept.append("pick=" + "&".join(choice))
    if negated:
        kept.append("NO")
    return kept


# --------------------------------------------------------------------------------------------------------
# Signals, fingerprint, intent, facts
# --------------------------------------------------------------------------------------------------------

_POLARITY = frozenset({"YES", "NO"})
_SIGNAL_KEYS = ("context", "polarity", "roles", "slots", "concepts", "words", "order")


_SLOT_PREFIXES = ("$", "bed", "bath", "dur", "n=", "n<", "n>", "time", "sqft", "acre", "pct", "zip=", "addr=",
                  "day=", "date=", "month=", "season=", "rel=", "pick=")


def _category(term: str) -> str:
    base = term.lstrip("!")
    if base.startswith(_SLOT_PREFIXES):
        return "slots"
    if "<" in base:
        return "order"
    if term in _POLARITY:
        return "polarity"
    if base in ROLES:
        return "roles"
    if "=" in base:
        return "slots"
    if base[:1].isupper():
        return "concepts"
    return "words"


def _signals(terms: list[str], ctx: _Question) -> dict:
    signals = {key: [] for key in _SIGNAL_KEYS}
    signals["context"] = list(ctx.terms)
    for term in terms:
        signals[_category(term)].append(term)
    return {key: sorted(values) for key, values in signals.items()}


def _fingerprint(signals: dict) -> str:
    parts = [FINGERPRINT_VERSION]
    for key in _SIGNAL_KEYS:
        parts.append(f"{key}=" + ",".join(signals[key]))
    return "|".join(parts)


_APPOINTMENT = frozenset({"SHOWING", "APPOINTMENT", "SCHEDULE", "RESCHEDULE", "CANCEL", "VISIT"})
_QUESTION_TOPICS = frozenset({"WHEN", "WHERE", "WHO", "WHY", "HOW", "PROCESS", "FEE", "HOA", "TAX", "PRICES",
                              "AVAILABLE", "BOT", "INTEREST_RATE", "MARKET", "ASK"})


def _intent(terms: list[str], ctx: _Question, facts: dict) -> str:
    """The intent label, first match wins: opting out and asking for a person before anything else."""
    present = set(terms)
    positive = {t for t in present if not t.startswith("!")}
    has_when = any(t.startswith(("day=", "time=", "pick=")) for t in present)
    names = any(_category(t) == "words" for t in positive)
    if "OPT_OUT" in present:
        return "opt_out"
    if "WRONG_NUMBER" in present:
        return "other"
    if ("HUMAN" in positive and "BOT" not in positive) or (
            "TALK" in positive and ("AGENT" in positive or "HUMAN" in positive or names)):
        return "wants_human"
    if "CALL" in positive and "AGENT" in positive and not has_when:
        return "wants_human"  # "have someone call me"
    if "NO" in present and not positive - {"NO", "YES", "GREETING", "ASK"} and (ctx.offer or not ctx.text):
        return "not_interested"
    offered_meeting = ctx.offer and {"CALL", "SHOWING", "APPOINTMENT"} & set(ctx.terms)
    if (positive & _APPOINTMENT or any(t.startswith("pick=") for t in present)
            or (has_when and not positive & {"BUY", "SELL", "RENT", "MOVE", "RELOCATE"})
            or ("YES" in present and offered_meeting)):
        return "appointment"
    if "CALL" in positive and not ctx.text:
        return "wants_human"
    if positive & {"SELL", "RENT_OUT", "LISTED"} or (
            "HOME_VALUE" in positive and "!SELL" not in present and "ASK" not in present and not ctx.text):
        return "seller"
    if "BUY" in positive or "FIRST_TIME_BUYER" in positive:
        return "buyer"
    if "RENT" in positive:
        return "renter"
    if positive & _QUESTION_TOPICS or "HOME_VALUE" in positive:
        return "question"
    if "GREETING" in present and all(t.islower() for t in present - {"GREETING"}):
        return "greeting"  # "hi", "hi, saw your sign"
    if (present and ctx.text) or facts:
        return "provide_info"
    return "other"


_TYPE_FACT = {"CONDO": "condo", "TOWNHOUSE": "townhouse", "SINGLE_FAMILY": "single_family",
              "DUPLEX": "multi_family", "TRIPLEX": "multi_family", "FOURPLEX": "multi_family",
              "MULTI_FAMILY": "multi_family", "LAND": "land", "MOBILE_HOME": "mobile_home", "APARTMENT": "other"}
_FINANCING_FACT = (("CASH", "cash"), ("PREAPPROVED", "pre_approved"), ("PREQUAL", "pre_qualified"),
                   ("VA", "va_loan"), ("FHA", "fha_loan"), ("CONVENTIONAL", "conventional"),
                   ("NOT_STARTED", "not_started"))
_MOTIVATION_FACT = (("RELOCATE", "relocation"), ("JOB", "job"), ("DIVORCE", "divorce"), ("DOWNSIZE", "downsizing"),
                    ("EMPTY_NEST", "empty nest"), ("UPSIZE", "needs more space"), ("BABY", "growing family"),
                    ("RETIRE", "retirement"), ("INHERIT", "inherited property"), ("HEALTH", "health"),
                    ("OUT_OF_STATE", "moving out of state"))
_CONDITION_FACT = (("COND_EXCELLENT", "excellent"), ("COND_GOOD", "good"), ("COND_FAIR", "fair"),
                   ("COND_POOR", "poor"), ("NEEDS_WORK", "needs work"), ("REPAIR", "needs repairs"),
                   ("COSMETIC", "cosmetic updates"), ("RENOVATED", "renovated"), ("UPDATE", "needs updating"),
                   ("LEAK", "leak"), ("OUTDATED", "outdated"), ("DAMAGE", "damage"), ("ISSUE", "issues"),
                   ("ROOF", "roof"), ("KITCHEN", "kitchen"), ("FOUNDATION", "foundation"), ("HVAC", "hvac"),
                   ("PLUMBING", "plumbing"), ("FLOORS", "floors"))
_CONDITION_STATES = frozenset({"COND_EXCELLENT", "COND_GOOD", "COND_FAIR", "COND_POOR", "NEEDS_WORK", "REPAIR",
                               "COSMETIC", "RENOVATED", "UPDATE", "LEAK", "OUTDATED", "DAMAGE", "ISSUE"})
_AMOUNT = re.compile(r"^(\$/mo|\$|bed|bath|dur)(<=|>=|=)([\d.]+)(?:-([\d.]+))?d?$")


def _facts(terms: list[str], ctx: _Question, analysis: _Analysis) -> dict:
    """Qualification facts stated by the text (negated statements state nothing)."""
    present = set(terms)
    positive = {t for t in present if not t.startswith("!")}
    negated_clause = any(t.startswith("!") for t in present)
    facts: dict = {}
    selling = bool(positive & {"SELL", "LISTED", "MY_HOME", "ASKING"}) and "BUY" not in positive
    for term in sorted(positive):
        m = _AMOUNT.match(term)
        if not m:
            if term.startswith("addr=") and "address" not in facts:
                facts["address"] = term[5:][:200]
            continue
        label, op, low, high = m.groups()
        low_v = float(low)
        high_v = float(high) if high else None
        if label in ("$", "$/mo"):
            if negated_clause and ("!AFFORD" in present or "!PREAPPROVED" in present):
                continue
            if "THIRD_PARTY" in positive and not positive & {"BUY", "SELL", "RENT"}:
                continue  # someone else's price
            if not 0 <= low_v <= 100_000_000 or (high_v is not None and high_v > 100_000_000):
                continue
            if high_v is not None:
                facts["budget_min"], facts["budget_max"] = int(low_v), int(high_v)
            elif op == ">=":
                facts["budget_min"] = int(low_v)
            elif selling and op == "=":
                facts["price_expectation"] = int(low_v)
            else:
                facts["budget_max"] = int(low_v)
        elif label in ("bed", "bath"):
            count = low_v if label == "bath" else int(low_v)
            key = "bedrooms" if label == "bed" else "bathrooms"
            if 0 <= count <= 20:
                facts[key] = min(facts.get(key, count), count)
        elif label == "dur" and 0 <= low_v <= 3650:
            facts["timeline_days"] = min(facts.get("timeline_days", int(low_v)), int(low_v))
    if "ASAP" in positive and "timeline_days" not in facts:
        facts["timeline_days"] = 0
    for concept, value in _FINANCING_FACT:
        if concept in positive:
            facts["financing"] = value
            break
    if "financing" not in facts and ctx.yes_no and "PREAPPROVED" in ctx.restatable:
        if "YES" in present:
            facts["financing"] = "pre_approved"
        elif present == {"NO"}:
            facts["financing"] = "not_started"
    types = [t for t in PROPERTY_TYPES + ("APARTMENT",) if t in positive]
    if len(types) == 1:
        facts["property_type"] = _TYPE_FACT[types[0]]
    if analysis.areas:
        facts["areas"] = list(analysis.areas)
    motivations = [label for concept, label in _MOTIVATION_FACT if concept in positive]
    if motivations:
        facts["motivation"] = ", ".join(motivations)[:200]
    if positive & _CONDITION_STATES:
        labels = [label for concept, label in _CONDITION_FACT if concept in positive]
        facts["condition"] = ", ".join(labels)[:200]
    return facts
