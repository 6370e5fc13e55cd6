"""The benchmarks' query count: how many SQL statements a request ran, in a response header.

Only in MIDDLEWARE with `BENCH_FLOOR=1` (see `lms/settings/base.py`): a load driver outside the
server reads `X-Bench-Queries` from each answer, which it could not learn otherwise.
"""

from contextlib import ExitStack

from django.db import connections

HEADER = "X-Bench-Queries"


class QueryCountHeaderMiddleware:
    """Counts the statements of every database connection while the request is handled.

    It sits right after SecurityMiddleware, so that the session, the user and the messages that
    the inner middleware load are counted with the view's own queries. A streamed body's queries
    (run after the headers have gone) are not counted.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        count = 0

        def counted(execute, sql, params, many, context):
            nonlocal count
            count += 1
            return execute(sql, params, many, context)

        with ExitStack() as stack:
            for connection in connections.all():
                stack.enter_context(connection.execute_wrapper(counted))
            response = self.get_response(request)
        response[HEADER] = str(count)
        return response
