"""Renderers of the typed ``Answer``: one module per surface, each deciding how a lead, a
typed cell, an untrusted quote, a chart or an approval looks there."""
