"""What a user sees: one blueprint per area, the forms, and the wiring of requests.

Views are thin: they check access, call the store or a report builder, and render the
object their template shows. They may import every layer below (reports, store, core).
"""
