"""Training (T1–T3): courses, sessions, assignments and attendance; question bank, exams, attempts, certificates.

An attempt freezes what was shown: each AttemptItem points at the exact QuestionVersion drawn, keeps the
answer and the times, and refuses any change to those once the attempt is submitted (proof of completion).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from fuwu.core import clock
from fuwu.core.models import OrgUnit, audited


class CourseKind(models.TextChoices):
    ETIQUETTE = "etiquette", _("Weekly service etiquette")
    NEW_PRODUCT = "new_product", _("New product")
    SKILLS = "skills", _("Quarterly service skills")
    COMPLIANCE = "compliance", _("Compliance")


class Course(models.Model):
    code = models.CharField(_("code"), max_length=32, unique=True)
    title = models.CharField(_("title"), max_length=200)
    kind = models.CharField(_("kind"), max_length=16, choices=CourseKind.choices)
    description = models.TextField(_("description"), blank=True)
    # The unit that runs the course (head office for bank-wide courses); scoping for editors.
    org_unit = models.ForeignKey(
        OrgUnit, verbose_name=_("org unit"), on_delete=models.PROTECT, related_name="+"
    )
    # Completion online: the learner confirms after reading the materials (courses without exam or session).
    online = models.BooleanField(_("can be completed online"), default=False)
    is_active = models.BooleanField(_("active"), default=True)

    history = audited()
    scope_path = "org_unit"

    class Meta:
        ordering = ["code"]
        verbose_name = _("course")
        verbose_name_plural = _("courses")
        permissions = [
            ("assign_course", "May assign a course to staff"),
            ("manage_bank", "May edit, import and export the question bank"),
            ("grade_attempt", "May grade short answers by hand"),
        ]

    def __str__(self) -> str:
        return self.title


class Material(models.Model):
    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="materials")
    title = models.CharField(_("title"), max_length=200)
    file = models.FileField(_("file"), upload_to="training/materials/", blank=True)
    url = models.URLField(_("link"), blank=True)
    # A record of another app this material is (core.references): a knowledge base product entry, shown
    # in its current version wherever the course is read — the product's terms never go stale in training.
    ref_kind = models.CharField(max_length=32, blank=True)
    ref_id = models.PositiveIntegerField(null=True, blank=True)

    scope_path = "course__org_unit"

    class Meta:
        indexes = [models.Index(fields=["ref_kind", "ref_id"])]

    def __str__(self) -> str:
        return self.title


class Session(models.Model):
    course = models.ForeignKey(Course, on_delete=models.PROTECT, related_name="sessions")
    org_unit = models.ForeignKey(
        OrgUnit, verbose_name=_("org unit"), on_delete=models.PROTECT, related_name="+"
    )
    trainer = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("trainer"), on_delete=models.PROTECT, related_name="+"
    )
    starts_at = models.DateTimeField(_("starts"))
    ends_at = models.DateTimeField(_("ends"))
    place = models.CharField(_("place"), max_length=200, blank=True)
    online_url = models.URLField(_("online link"), blank=True)
    capacity = models.PositiveIntegerField(_("capacity"), default=30)
    # The secret in the check-in QR code shown in the room; without it no one checks in from elsewhere.
    checkin_secret = models.CharField(max_length=32, unique=True)

    history = audited()
    scope_path = "org_unit"

    class Meta:
        ordering = ["-starts_at"]
        verbose_name = _("session")
        verbose_name_plural = _("sessions")

    def __str__(self) -> str:
        return f"{self.course} {self.starts_at:%Y-%m-%d %H:%M}"


class Attendance(models.Model):
    session = models.ForeignKey(Session, on_delete=models.CASCADE, related_name="attendance")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    checked_in_at = models.DateTimeField(_("checked in"))

    scope_path = "user__org_unit"

    class Meta:
        constraints = [models.UniqueConstraint(fields=["session", "user"], name="training_attendance_once")]

    def __str__(self) -> str:
        return f"{self.user_id} @ {self.session_id}"


class AssignmentStatus(models.TextChoices):
    OPEN = "open", _("Not completed")
    COMPLETED = "completed", _("Completed")
    CANCELLED = "cancelled", _("Cancelled")


class AssignmentSource(models.TextChoices):
    ROLE = "role", _("By role and unit")
    PERSON = "person", _("For one person")
    DEFECT = "defect", _("From a finding")
    RECERTIFICATION = "recertification", _("Certificate lapsed")


class Assignment(models.Model):
    course = models.ForeignKey(Course, on_delete=models.PROTECT, related_name="assignments")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    # The learner's unit when assigned: completion rates per unit stay put when people move.
    org_unit = models.ForeignKey(OrgUnit, on_delete=models.PROTECT, related_name="+")
    due_date = models.DateField(_("due"))
    status = models.CharField(
        _("status"), max_length=12, choices=AssignmentStatus.choices, default=AssignmentStatus.OPEN
    )
    source = models.CharField(_("source"), max_length=16, choices=AssignmentSource.choices)
    # For DEFECT: the Defect's source kind and id (the ledger shows the completion beside its task).
    source_kind = models.CharField(max_length=16, blank=True)
    source_id = models.CharField(max_length=64, blank=True)
    assigned_at = models.DateTimeField(_("assigned"))
    completed_at = models.DateTimeField(_("completed"), null=True, blank=True)
    completed_via = models.CharField(max_length=16, blank=True)  # session | online | exam
    reminded_at = models.DateTimeField(null=True, blank=True)
    # Set by the overdue sweep once the learner's manager has been told the assignment is overdue (#17).
    escalated_at = models.DateTimeField(null=True, blank=True)

    history = audited()
    scope_path = "org_unit"

    class Meta:
        ordering = ["due_date", "pk"]
        verbose_name = _("assignment")
        verbose_name_plural = _("assignments")
        indexes = [models.Index(fields=["user", "course", "status"])]
        constraints = [
            # One open assignment of a course per person: re-assigning the same course keeps the earliest.
            models.UniqueConstraint(
                fields=["user", "course"],
                condition=models.Q(status="open"),
                name="training_one_open_assignment",
            )
        ]

    def __str__(self) -> str:
        return f"{self.user} · {self.course}"

    # Overdue, defined once for the learner's list, the manager's home panel and the overdue sweep: not yet
    # completed and past its due date.
    @staticmethod
    def overdue_on(day: dt.date) -> Q:
        return Q(status=AssignmentStatus.OPEN, due_date__lt=day)

    @property
    def is_overdue(self) -> bool:
        return self.status == AssignmentStatus.OPEN and self.due_date < clock.today()

    @property
    def is_due_soon(self) -> bool:
        """Open, not yet overdue, and the learner has been reminded (the reminder sweep's horizon)."""
        return self.status == AssignmentStatus.OPEN and self.reminded_at is not None and not self.is_overdue


class QuestionKind(models.TextChoices):
    SINGLE = "single", _("Single choice")
    MULTIPLE = "multiple", _("Multiple choice")
    TRUE_FALSE = "true_false", _("True or false")
    SHORT = "short", _("Short answer (graded by hand)")


class Category(models.Model):
    name = models.CharField(_("name"), max_length=100, unique=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("question category")
        verbose_name_plural = _("question categories")

    def __str__(self) -> str:
        return self.name


class Question(models.Model):
    """A question's identity; its text and answer live in versions, the latest being current."""

    code = models.CharField(_("code"), max_length=32, unique=True)
    category = models.ForeignKey(Category, on_delete=models.PROTECT, related_name="questions")
    tags = models.JSONField(_("tags"), default=list, blank=True)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("question")
        verbose_name_plural = _("questions")

    def __str__(self) -> str:
        return self.code

    def current(self) -> QuestionVersion:
        return self.versions.order_by("-number")[0]


class QuestionVersion(models.Model):
    """One wording of a question; never edited once an attempt showed it (an edit makes a new version)."""

    question = models.ForeignKey(Question, on_delete=models.PROTECT, related_name="versions")
    number = models.PositiveIntegerField()
    kind = models.CharField(_("kind"), max_length=12, choices=QuestionKind.choices)
    text = models.TextField(_("question"))
    options = models.JSONField(_("options"), default=list, blank=True)  # ["A text", "B text", …]
    correct = models.JSONField(
        _("correct answer"), default=list, blank=True
    )  # option indexes; [0]/[1] for T/F
    explanation = models.TextField(_("explanation"), blank=True)
    points = models.PositiveIntegerField(_("points"), default=1)
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["question", "number"]
        constraints = [
            models.UniqueConstraint(fields=["question", "number"], name="training_question_version")
        ]

    def __str__(self) -> str:
        return f"{self.question.code} v{self.number}"


class Exam(models.Model):
    course = models.ForeignKey(Course, on_delete=models.PROTECT, related_name="exams")
    title = models.CharField(_("title"), max_length=200)
    # {category id (text): number of questions drawn}
    draw = models.JSONField(_("questions per category"), default=dict)
    time_limit_minutes = models.PositiveIntegerField(_("time limit (minutes)"), default=30)
    pass_percent = models.PositiveIntegerField(_("pass mark (%)"), default=80)
    max_attempts = models.PositiveIntegerField(_("attempts allowed"), default=3)
    retake_wait_hours = models.PositiveIntegerField(_("hours between attempts"), default=0)
    certificate_months = models.PositiveIntegerField(_("certificate valid (months)"), default=12)
    is_active = models.BooleanField(_("active"), default=True)

    scope_path = "course__org_unit"

    class Meta:
        verbose_name = _("exam")
        verbose_name_plural = _("exams")

    def __str__(self) -> str:
        return self.title


class AttemptStatus(models.TextChoices):
    IN_PROGRESS = "in_progress", _("In progress")
    SUBMITTED = "submitted", _("Awaiting hand grading")
    GRADED = "graded", _("Graded")


class Attempt(models.Model):
    exam = models.ForeignKey(Exam, on_delete=models.PROTECT, related_name="attempts")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    org_unit = models.ForeignKey(OrgUnit, on_delete=models.PROTECT, related_name="+")
    number = models.PositiveIntegerField(_("attempt"))
    status = models.CharField(
        _("status"), max_length=12, choices=AttemptStatus.choices, default=AttemptStatus.IN_PROGRESS
    )
    started_at = models.DateTimeField(_("started"))
    deadline = models.DateTimeField(_("time is up at"))
    submitted_at = models.DateTimeField(_("submitted"), null=True, blank=True)
    score = models.PositiveIntegerField(_("score"), null=True, blank=True)
    max_score = models.PositiveIntegerField(_("out of"), default=0)
    passed = models.BooleanField(_("passed"), null=True, blank=True)

    history = audited()
    scope_path = "org_unit"

    class Meta:
        ordering = ["-started_at"]
        verbose_name = _("attempt")
        verbose_name_plural = _("attempts")
        constraints = [models.UniqueConstraint(fields=["exam", "user", "number"], name="training_attempt_no")]

    def __str__(self) -> str:
        return f"{self.exam} #{self.number} {self.user}"

    @property
    def is_graded(self) -> bool:
        """The result is final (auto-graded, or hand-graded by the trainer) and may be shown."""
        return self.status == AttemptStatus.GRADED


class FrozenAfterSubmission(Exception):
    """An attempt's shown questions, answers and times cannot change once it is submitted."""


FROZEN_FIELDS = ("attempt_id", "position", "version_id", "answer", "answered_at")


class AttemptItem(models.Model):
    attempt = models.ForeignKey(Attempt, on_delete=models.PROTECT, related_name="items")
    position = models.PositiveIntegerField()
    version = models.ForeignKey(QuestionVersion, on_delete=models.PROTECT, related_name="+")
    option_order = models.JSONField(default=list)  # shown order of option indexes (shuffled per attempt)
    answer = models.JSONField(null=True, blank=True)  # option indexes, or {"text": "…"} for short answers
    answered_at = models.DateTimeField(null=True, blank=True)
    awarded = models.PositiveIntegerField(null=True, blank=True)
    feedback = models.TextField(blank=True)
    graded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    scope_path = "attempt__org_unit"

    class Meta:
        ordering = ["attempt", "position"]
        constraints = [models.UniqueConstraint(fields=["attempt", "position"], name="training_item_position")]

    def __str__(self) -> str:
        return f"{self.attempt_id}#{self.position}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        # Belt and braces beside the services' state checks: a submitted attempt's frozen fields never change.
        if self.pk is not None:
            stored = AttemptItem.objects.filter(pk=self.pk).select_related("attempt").first()
            if stored is not None and stored.attempt.status != AttemptStatus.IN_PROGRESS:
                changed = [f for f in FROZEN_FIELDS if getattr(stored, f) != getattr(self, f)]
                if changed:
                    raise FrozenAfterSubmission(", ".join(changed))
        super().save(*args, **kwargs)


class Certificate(models.Model):
    number = models.CharField(_("number"), max_length=32, unique=True)
    attempt = models.OneToOneField(Attempt, on_delete=models.PROTECT, related_name="certificate")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    course = models.ForeignKey(Course, on_delete=models.PROTECT, related_name="certificates")
    org_unit = models.ForeignKey(OrgUnit, on_delete=models.PROTECT, related_name="+")
    issued_at = models.DateTimeField(_("issued"))
    expires_on = models.DateField(_("valid until"))
    # The secret in the verification link/QR: the public page shows name, course and validity, nothing else.
    verify_code = models.CharField(max_length=32, unique=True)
    # Set by the expiry sweep once the lapsed certificate has put its holder back on the assignment list.
    lapsed_at = models.DateTimeField(null=True, blank=True)

    scope_path = "org_unit"

    class Meta:
        ordering = ["-issued_at"]
        verbose_name = _("certificate")
        verbose_name_plural = _("certificates")

    def __str__(self) -> str:
        return self.number


class DefectRule(models.Model):
    """T3: a checklist item code, complaint reason code or phrase id → the course that fixes it."""

    source_kind = models.CharField(_("found by"), max_length=16)  # core.defects.SourceKind value
    reason_code = models.CharField(_("item / reason code"), max_length=64)
    course = models.ForeignKey(Course, on_delete=models.PROTECT, related_name="defect_rules")
    due_days = models.PositiveIntegerField(_("business days to complete"), default=10)

    history = audited()

    class Meta:
        verbose_name = _("finding → course rule")
        verbose_name_plural = _("finding → course rules")
        constraints = [
            models.UniqueConstraint(fields=["source_kind", "reason_code"], name="training_defect_rule_once")
        ]

    def __str__(self) -> str:
        return f"{self.source_kind}:{self.reason_code} → {self.course.code}"
