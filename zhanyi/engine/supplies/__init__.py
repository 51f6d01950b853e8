"""Stocks of protective supplies (防疫物资): days of cover and the shortfall forecast."""

from .forecast import DayPlan, ItemForecast, days_of_cover, forecast

__all__ = ["DayPlan", "ItemForecast", "days_of_cover", "forecast"]
