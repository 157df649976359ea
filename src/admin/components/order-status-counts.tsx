import React, { useEffect, useState } from 'react';
import type { ActionProps } from 'adminjs';
import { Link } from 'react-router-dom';
import { Box, H2, H3, Loader, MessageBox, Text } from '@adminjs/design-system';
import type { StatusCounts } from '../ui-contract';
import { api } from './api';

function Tile({ label, count, url, testId }: { label: string; count: number; url: string; testId: string }) {
  return (
    <Link to={url} style={{ textDecoration: 'none', color: 'inherit' }} data-testid={testId}>
      <Box variant="card" mr="lg" mb="lg" width={220}>
        <Text fontSize="sm" color="grey60">
          {label}
        </Text>
        <H2 mb="0" data-testid="count">
          {count}
        </H2>
      </Box>
    </Link>
  );
}

/**
 * G2.2 / G2.4: how many orders are in each status, each opening the order list filtered by it. The dashboard and the
 * order list's "By status" page both show it (the dashboard's handler or the resource action answers `counts`).
 */
const OrderStatusCountsComponent: React.FC<Partial<ActionProps>> = ({ action, resource }) => {
  const [counts, setCounts] = useState<StatusCounts | null>(null);
  const [problem, setProblem] = useState<string | null>(null);

  useEffect(() => {
    const request = resource && action ? api.resourceAction({ resourceId: resource.id, actionName: action.name }) : api.getDashboard();
    request
      .then(({ data }) => setCounts((data as { counts?: StatusCounts }).counts ?? null))
      .catch(() => setProblem('The order figures could not be loaded; reload the page'));
  }, [resource?.id, action?.name]);

  if (problem) return <MessageBox variant="danger" message={problem} />;
  if (!counts) return <Loader />;
  if (counts.statuses.length === 0) return <Text m="xl">Welcome to the OMS back office.</Text>;
  return (
    <Box p={resource ? undefined : 'xxl'} data-testid="order-status-counts">
      <H3>Work queues</H3>
      <Box flex flexWrap="wrap" mb="xl">
        {counts.queues.map((queue) => (
          <Tile key={queue.label} label={queue.label} count={queue.count} url={queue.url} testId="queue" />
        ))}
      </Box>
      <H3>Orders by status ({counts.total})</H3>
      <Box flex flexWrap="wrap">
        {counts.statuses.map((status) => (
          <Tile key={status.status} label={status.label} count={status.count} url={status.url} testId={`status-${status.status}`} />
        ))}
      </Box>
    </Box>
  );
};

export default OrderStatusCountsComponent;
