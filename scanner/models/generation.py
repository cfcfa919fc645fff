"""The data generation: one number every process can read to tell whether what it kept of the
pages' data is still exact."""

from __future__ import annotations

from sqlalchemy import BigInteger, Integer
from sqlalchemy.orm import Mapped, mapped_column

from scanner.models.base import Base


class DataGeneration(Base):
    """One row (`id` 1) whose `generation` grows with every committed change to a table the
    cached pages read (kept by triggers, migration 0028; `scanner.storage.data_generation`)."""

    __tablename__ = "data_generation"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    generation: Mapped[int] = mapped_column(BigInteger)
