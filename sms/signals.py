"""What the transport tells the layers above it, without knowing them."""

from django.dispatch import Signal

# Sent after the commit that stored an inbound text needing an answer (not a keyword), with `message_id`. The
# bots connect their turn to it; the transport stays ignorant of who answers.
inbound_text_stored = Signal()
