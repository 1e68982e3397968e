"""The site's reference lists: departments and units (deskapp.services.reference)."""

MESSAGES: dict[str, tuple[str, str]] = {
    "field.department_name": ("部门名称", "department name"),
    "field.department_kind": ("部门类别", "department kind"),
    "err.department_exists": ("已有同名部门：{name}", "A department named {name} already exists"),
    "err.unit_exists": ("房号已存在：{code}", "Unit {code} is already on the list"),
    "action.add_department": ("添加部门", "add a department"),
    "action.add_unit": ("添加房号", "add a unit"),
}
