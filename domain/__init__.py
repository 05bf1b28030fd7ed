"""The domain: who is calling, what they may do, and what a conversation turn is.

Handlers translate HTTP to calls into this package and back; everything with
a rule in it (ownership, roles, etags, masks, locks, prompts, usage) is here.
"""
