from kiln.insights.counting import view_record


class InsightsMiddleware:
    """Counts views after the page is answered (kiln/insights/counting.py says which)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        view_record(request, response)
        return response
