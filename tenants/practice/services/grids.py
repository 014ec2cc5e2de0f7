"""代表+网格: grids under villages/communities and their assigned deputies."""
from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from liaison.platform.accounts import acting
from liaison.tenants.common.errors import FieldError, ServiceError
from liaison.tenants.deputies.models import Deputy
from liaison.tenants.divisions.models import Division

from ..common import load, raise_if, required_text
from ..models import Grid, GridDeputy


def create_grid(*, code: str, name: str, division) -> Grid:
    errors: list[FieldError] = []
    code = required_text(code, "code", errors, 40)
    name = required_text(name, "name", errors, 100)
    try:
        division = load(Division, division, "division")
        if division.level != Division.Level.VILLAGE:
            errors.append(FieldError("division", _("网格须设在村（社区）之下"), "invalid"))
    except ServiceError as exc:
        errors += exc.errors
    if code and Grid.objects.filter(code=code).exists():
        errors.append(FieldError("code", _("网格编码已存在"), "duplicate"))
    raise_if(errors)
    return Grid.objects.create(code=code, name=name, division=division)


def assign_deputy(grid, *, deputy, assigned_on: dt.date | None = None) -> GridDeputy:
    errors: list[FieldError] = []
    try:
        grid = load(Grid, grid, "grid")
    except ServiceError as exc:
        errors += exc.errors
        grid = None
    try:
        deputy = load(Deputy, deputy, "deputy")
        if not deputy.active:
            errors.append(FieldError("deputy", _("该代表已不在任"), "inactive"))
    except ServiceError as exc:
        errors += exc.errors
        deputy = None
    if grid and deputy and GridDeputy.objects.filter(grid=grid, deputy=deputy).exists():
        errors.append(FieldError("deputy", _("该代表已编入此网格"), "duplicate"))
    raise_if(errors)
    return GridDeputy.objects.create(grid=grid, deputy=deputy, assigned_on=assigned_on or timezone.localdate())


def remove_deputy(grid, *, deputy) -> None:
    with transaction.atomic():
        grid = load(Grid, grid, "grid")
        deleted, _n = GridDeputy.objects.filter(grid=grid, deputy_id=getattr(deputy, "pk", deputy)).delete()
        if not deleted:
            raise ServiceError.single("deputy", _("该代表不在此网格"), "not_found")


def set_opinion_grid(opinion, grid) -> None:
    """The grid an opinion's matter lies in (None clears it): a grid inside the opinion's division."""
    from liaison.tenants.opinions.models import Opinion

    with transaction.atomic():
        opinion = load(Opinion, opinion, "opinion", lock=True)
        acting.require_position(opinion.position_id)
        if grid is not None:
            grid = load(Grid, grid, "grid")
            div = opinion.division
            if not (grid.division_id == div.pk or grid.division.path.startswith(div.path + "/")):
                raise ServiceError.single("grid", _("网格不在该意见所属区划内"), "outside_division")
        opinion.grid = grid
        opinion.save(update_fields=["grid", "updated_at"])
