"""What a prospect's text is for: the labels the intent call (Claude or the offline reader) answers with."""

from enum import StrEnum


class Intent(StrEnum):
    BUYER = "buyer"                    # wants to buy (or says they are buying) a home
    SELLER = "seller"                  # wants to sell, or asks what their home is worth to sell it
    RENTER = "renter"                  # wants to rent a place, not buy
    QUESTION = "question"              # asks something without stating buy/sell intent
    PROVIDE_INFO = "provide_info"      # answers the bot's question or volunteers facts
    APPOINTMENT = "appointment"        # asks for or accepts a call, a showing or a meeting
    WANTS_HUMAN = "wants_human"        # asks for a person, a call or a text from one
    AGENT_QUESTION = "agent_question"  # asks what only an agent may answer: the home's worth, fees, contracts, law
    LISTING_QUESTION = "listing_question"  # asks about a specific listing (available? price?)
    BOT_QUESTION = "bot_question"      # asks whether they are texting a bot or a person, or who is texting
    WRONG_NUMBER = "wrong_number"      # the text reached the wrong person
    NOT_INTERESTED = "not_interested"  # declines, is not looking
    OPT_OUT = "opt_out"                # asks to stop receiving texts in words other than the keywords
    GREETING = "greeting"              # only a greeting or an acknowledgement
    OTHER = "other"
