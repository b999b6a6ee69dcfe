import factory

from leads.models import Contact, Conversation, Direction, Message


class ContactFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Contact

    # 555-01xx is reserved for fiction.
    phone = factory.Sequence(lambda n: f"+1415555{n % 10000:04d}")
    name = factory.Faker("name")


class ConversationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Conversation

    contact = factory.SubFactory(ContactFactory)


class MessageFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Message

    conversation = factory.SubFactory(ConversationFactory)
    contact = factory.SelfAttribute("conversation.contact")
    direction = Direction.INBOUND
    body = factory.Faker("sentence")
    twilio_sid = factory.Sequence(lambda n: f"SM{n:032x}")
