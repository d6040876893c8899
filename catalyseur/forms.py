"""What every form of the site shares."""


class DescribedErrorsMixin:
    """Tie each field's error messages to its input (``aria-describedby``), so a screen
    reader announces the error with the field, not only at the top of the page.

    The ids match those the templates give (``<auto_id>_errors`` and ``<auto_id>_helptext``).
    """

    def full_clean(self):
        super().full_clean()
        for name in self.errors:
            if name not in self.fields:
                continue
            bound = self[name]
            ids = [f"{bound.auto_id}_helptext"] if self.fields[name].help_text else []
            ids.append(f"{bound.auto_id}_errors")
            self.fields[name].widget.attrs["aria-describedby"] = " ".join(ids)
