"""Which language a prospect writes in (English or Spanish), from words only a speaker of one would use."""

from __future__ import annotations

import re

from leads.reader.text import fold_accents

SPANISH = frozenset("""hola buenas buenos dias tardes noches quiero queremos busco buscamos estoy estamos tengo tenemos
necesito comprar vender rentar casa casita recamaras cuartos habitaciones mil meses gracias soy llamo habla dicen
para pero que como cuando donde porque tambien todavia ahorita ya mas menos entre hasta mi mis su nuestra nuestro
esposo esposa hijos hija hijo trabajo banco dinero precio año ano verano primavera otoño otono invierno enero
febrero marzo abril mayo junio julio agosto septiembre octubre noviembre diciembre por favor porfa porfavor el la
los las una unos del al es esta son muy bien si no se le lo me nos les usted ustedes pues bueno vamos voy pagar
vendi pinte cambie quiere puedo pueden llamar llame escriban mensajes perdon equivoque tiene tienen mire oiga jaja
aca aqui alla depa apartamento carta aprobacion aprobado aprobada edificio familias techo cocina pintar cuidar
regreso papas mama papa vecina vendio rapido posible prisa seguro estaba estabamos buscando buscaba ando andamos en
con escribir compramos quien quienes eres cuanto cuanta creen vale valor""".split())
ENGLISH = frozenset("""the and you your are is for what when which have has thanks thank how would do with our we
i'm im looking buy sell selling buying want need house home place yes yeah not yet just like about around months
year years next this that there they them it's its my me of to in on at be been can could will get got pre approved
cash budget price bedrooms bed beds bath baths call text please hi hey hello ok okay sure lol idk maybe probably
wife husband kids job moving move""".split())


def detect(text: str) -> str:
    """"es", "en", or "" when a text is too short or mixed to tell (a name, "ok", a number)."""
    words = re.findall(r"[a-zñ']+", fold_accents(text.lower()))
    spanish = sum(word in SPANISH for word in words) + 2 * len(re.findall(r"[ñ¿¡]|ción|cion\b", text.lower()))
    english = sum(word in ENGLISH for word in words)
    if spanish >= 2 and spanish > english:
        return "es"
    if english >= 2 and english > spanish:
        return "en"
    return ""
