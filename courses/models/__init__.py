"""Models of the courses app: the curriculum page tree, and the cohorts that study it."""

from .cohorts import ActivityCompletion, Cohort, Enrolment, EnrolmentEvent, EnrolmentImport
from .pages import (
    ActivityKind,
    ActivityPage,
    CaseStudyAttachment,
    CaseStudyPage,
    CaseStudyTask,
    CurriculumPage,
    CurriculumReviewTask,
    LessonPage,
    ModulePage,
    ProgramIndexPage,
    ProgramPage,
)

__all__ = [
    "ActivityCompletion",
    "ActivityKind",
    "ActivityPage",
    "CaseStudyAttachment",
    "CaseStudyPage",
    "CaseStudyTask",
    "Cohort",
    "CurriculumPage",
    "CurriculumReviewTask",
    "Enrolment",
    "EnrolmentEvent",
    "EnrolmentImport",
    "LessonPage",
    "ModulePage",
    "ProgramIndexPage",
    "ProgramPage",
]
