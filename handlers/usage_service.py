"""UsageService: HTTP <-> domain.usage."""

from domain import usage, views
from handlers._context import caller, services, user_filter
from handlers.api_types import UsageReport


async def get_usage(
    start_date: str | None = None, end_date: str | None = None, model: str = ""
) -> UsageReport:
    report = await usage.get_usage(
        services(),
        caller(),
        start_date=start_date,
        end_date=end_date,
        user=user_filter(),
        model=model or "",
    )
    return UsageReport(
        startDate=views.day(report.start),
        endDate=views.day(report.end),
        rows=[views.usage_row(row) for row in report.rows],
        # 64-bit counts are JSON strings (proto3 JSON); the cost a number.
        totalRequests=str(report.total_requests),
        totalInputTokens=str(report.total_input_tokens),
        totalOutputTokens=str(report.total_output_tokens),
        totalCost=views.cost(report.total_cost_micros),
        currency=services().limits.config.currency,
    )
