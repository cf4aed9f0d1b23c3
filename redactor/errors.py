"""Small named exceptions. The library raises them; only the shells (CLI, app) turn them into messages.

Every message is one line and never contains the document's text.
"""

from __future__ import annotations


class RedactorError(Exception):
    """Base class for every error the library raises on purpose."""


class InputError(RedactorError):
    """A document cannot be read. Nothing already stored is touched."""


class MissingFileError(InputError):
    pass


class EmptyDocumentError(InputError):
    pass


class UnsupportedTypeError(InputError):
    pass


class CorruptDocumentError(InputError):
    pass


class EncryptedDocumentError(InputError):
    pass


class TooLargeError(InputError):
    pass


class RulesError(RedactorError):
    """A rules or recognizer file is invalid. The message names the file and the rule."""


class AnnotationError(RedactorError):
    """An annotated (gold) document file is malformed."""


class ModelError(RedactorError):
    """A required model (spaCy pipeline or trained classifier) cannot be loaded offline."""


class ReleaseError(RedactorError):
    """A release request is incomplete or contradictory (unknown purpose, missing recipient, ...)."""


class UnknownRecipientError(ReleaseError):
    """A named recipient is not in the recipient directory and no type was given."""


class ReleaseBlockedError(RedactorError):
    """The release policy blocks this release: nothing may be written. Names the gate and how to unblock."""


class UnresolvedReviewError(RedactorError):
    """Findings still wait for a person's decision (or the document is held), so no final output is made."""


class RenderError(RedactorError):
    """The redacted output cannot be produced (the file does not match the scanned document, bad output path)."""


class VerificationError(RenderError):
    """Redacted text was found in the candidate output. Names the location, never the text; nothing is written."""


class StoreError(RedactorError):
    """The database cannot be opened, migrated or read, or a stored record is missing."""


class NotFoundError(StoreError):
    """No document or review with that id."""


class StaleEditError(StoreError):
    """Someone else changed the review since it was loaded: nothing was written; reload and redo."""


class KeyMissingError(StoreError):
    """A stored body is encrypted and no key (or the wrong key) is configured."""


class PersonalDataError(StoreError):
    """An audit detail or an edit holds free text (it must hold ids, labels, numbers and hashes only)."""


class ReviewClosedError(StoreError):
    """The review has been released: it can no longer be changed."""


class EditError(RedactorError):
    """A reviewer's edit is malformed (unknown kind or decision, a span outside the document)."""


class PermissionDeniedError(RedactorError):
    """The signed-in user's role does not allow this action or view."""


class ApprovalRequiredError(RedactorError):
    """A four-eyes release lacks a second person's approval of exactly this plan."""
